import Runtime
import Testing

@Suite struct SHA256DigestTests {
    @Test func knownVectors() {
        #expect(SHA256Digest.hex(of: Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        let bytes = (0 ..< 1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var digest = SHA256Digest()
        for chunk in stride(from: 0, to: bytes.count, by: 37) { digest.update(Array(bytes[chunk ..< min(chunk + 37, bytes.count)])) }
        #expect(digest.finalizeHex() == SHA256Digest.hex(of: bytes))
    }

    @Test func digestsAreValidatedAndNormalised() {
        let hex = String(repeating: "a", count: 64)
        #expect(ModelStore.normalizedDigest("sha256-" + hex) == "sha256:" + hex)
        #expect(ModelStore.normalizedDigest("sha256:" + hex) == "sha256:" + hex)
        #expect(ModelStore.normalizedDigest("sha256:" + hex.uppercased()) == nil)
        #expect(ModelStore.normalizedDigest("sha256:../../etc/passwd") == nil)
        #expect(ModelStore.normalizedDigest("md5:" + hex) == nil)
    }
}
