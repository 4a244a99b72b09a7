/// `clean_up_tokenization_spaces`: removes the space before `? ! . ,`, around a lone apostrophe,
/// and before `'s 'm 're 've`, in three in-place passes over the decoded bytes whose quirks (each
/// pass reads bytes the same pass may already have rewritten) are kept so the output matches
/// llama.cpp's byte for byte (llama.cpp llama-vocab `detokenize`).
enum TokenizationSpaceCleanup {
    static func apply(_ text: inout [UInt8]) {
        let space = UInt8(ascii: " "), apostrophe = UInt8(ascii: "'")

        var count = text.count
        var total = count > 0 ? 1 : 0
        for index in stride(from: 1, to: count, by: 1) {
            let byte = text[index]
            if text[index - 1] == space, byte == UInt8(ascii: "?") || byte == UInt8(ascii: "!")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ",") {
                total -= 1
            }
            text[total] = byte
            total += 1
        }

        count = total
        total = count > 0 ? 1 : 0
        var index = 1
        while index < count {
            let byte = text[index]
            if byte == apostrophe, index + 1 < count, text[index - 1] == space, text[index + 1] == space {
                total -= 1
                index += 1
                text[index] = 0
            }
            text[total] = byte
            total += 1
            index += 1
        }

        count = total
        total = count > 0 ? 1 : 0
        for index in stride(from: 1, to: count, by: 1) {
            let byte = text[index]
            if text[index - 1] == space, byte == apostrophe, index + 1 < count {
                let next = text[index + 1]
                if next == UInt8(ascii: "s") || next == UInt8(ascii: "m") {
                    total -= 1
                } else if next != UInt8(ascii: "t"), next != UInt8(ascii: "d"), index + 2 < count {
                    let afterNext = text[index + 2]
                    if (next == UInt8(ascii: "r") || next == UInt8(ascii: "v")) && afterNext == UInt8(ascii: "e") {
                        total -= 1
                    }
                }
            }
            text[total] = byte
            total += 1
        }
        text.removeLast(text.count - total)
    }
}
