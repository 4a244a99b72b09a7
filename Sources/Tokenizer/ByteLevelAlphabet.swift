/// GPT-2's byte-level alphabet: every byte is written as one visible Unicode scalar so that
/// vocabulary strings never contain raw spaces or control bytes. Printable Latin-1 bytes stand for
/// themselves; the other 68 bytes take the scalars from U+0100 upwards, in byte order
/// (GPT-2 `bytes_to_unicode`, also llama.cpp unicode.cpp).
enum ByteLevelAlphabet {
    /// The scalar that stands for each byte.
    static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if standsForItself(UInt8(byte)) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The byte a scalar stands for, or nil when the scalar is outside the alphabet.
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = scalar.value
        if value < 256 {
            return standsForItself(UInt8(value)) ? UInt8(value) : nil
        }
        let index = Int(value) - 256
        return index < remappedBytes.count ? remappedBytes[index] : nil
    }

    /// Decodes a vocabulary string into raw bytes; nil when a scalar is outside the alphabet.
    static func bytes(of text: String) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard let byte = byte(for: scalar) else { return nil }
            result.append(byte)
        }
        return result
    }

    /// The bytes that do not stand for themselves, in the order they were given scalars from U+0100.
    private static let remappedBytes: [UInt8] = (0..<256).map(UInt8.init).filter { !standsForItself($0) }

    private static func standsForItself(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }
}
