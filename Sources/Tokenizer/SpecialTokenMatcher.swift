/// Finds special and added tokens in raw text before BPE runs: the longest token texts are tried
/// first, each over the text that earlier tokens left unmatched, leftmost occurrence first
/// (llama.cpp llama-vocab `tokenizer_st_partition`).
struct SpecialTokenMatcher: Sendable {
    enum Fragment: Equatable {
        case text(Range<Int>)
        case token(Int32)
    }

    private struct Entry: Sendable {
        let id: Int32
        let bytes: [UInt8]
        /// Control and unknown tokens are found only when the caller parses special tokens;
        /// user-defined tokens are always found (as Hugging Face tokenizers do).
        let needsParseSpecial: Bool
    }

    private let entries: [Entry]

    init(texts: [String], attributes: [TokenAttributes]) {
        var entries: [Entry] = []
        for (id, text) in texts.enumerated() where attributes[id].isMatchedBeforeBPE {
            entries.append(Entry(id: Int32(id), bytes: Array(text.utf8),
                                 needsParseSpecial: attributes[id].isHiddenByDefault))
        }
        // Longest first; equal lengths by id so the order is deterministic.
        entries.sort { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }
        self.entries = entries
    }

    func partition(_ bytes: [UInt8], parseSpecial: Bool) -> [Fragment] {
        guard !bytes.isEmpty else { return [] }
        var fragments: [Fragment] = [.text(0..<bytes.count)]
        for entry in entries where parseSpecial || !entry.needsParseSpecial {
            var next: [Fragment] = []
            next.reserveCapacity(fragments.count + 2)
            for fragment in fragments {
                guard case let .text(range) = fragment else {
                    next.append(fragment)
                    continue
                }
                var remaining = range
                while let match = Self.firstOccurrence(of: entry.bytes, in: bytes, within: remaining) {
                    if match > remaining.lowerBound { next.append(.text(remaining.lowerBound..<match)) }
                    next.append(.token(entry.id))
                    remaining = (match + entry.bytes.count)..<remaining.upperBound
                }
                if !remaining.isEmpty { next.append(.text(remaining)) }
            }
            fragments = next
        }
        return fragments
    }

    private static func firstOccurrence(of needle: [UInt8], in haystack: [UInt8], within range: Range<Int>) -> Int? {
        let count = needle.count
        guard count > 0, range.count >= count else { return nil }
        let first = needle[0]
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pattern in
                var index = range.lowerBound
                let last = range.upperBound - count
                while index <= last {
                    if hay[index] == first {
                        var offset = 1
                        while offset < count && hay[index + offset] == pattern[offset] { offset += 1 }
                        if offset == count { return index }
                    }
                    index += 1
                }
                return nil
            }
        }
    }
}
