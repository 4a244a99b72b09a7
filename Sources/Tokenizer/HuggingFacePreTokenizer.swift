/// Recognises the `pre_tokenizer` section of a `tokenizer.json` as one of the splits this module
/// implements and names it as GGUF would (`tokenizer.ggml.pre`).
enum HuggingFacePreTokenizer {
    /// Split regexes as they appear in the tokenizer.json files of the supported families.
    static let llama3Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Pattern =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    private static let llama3Patterns: Set<String> = [llama3Pattern]
    private static let qwen2Patterns: Set<String> = [qwen2Pattern]
    private static let gpt2Patterns: Set<String> = [
        #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#,
    ]

    private struct Steps {
        var splitPatterns: [String] = []
        var individualDigits = false
        var byteLevelSplitsWords = false
        var unknown: [String] = []
    }

    static func ggufName(for component: Any?) throws -> String {
        var steps = Steps()
        collect(component, into: &steps)
        if let unknown = steps.unknown.first {
            throw TokenizerError.unsupportedPreTokenizer("step \(unknown)")
        }
        switch (steps.splitPatterns.count, steps.individualDigits, steps.byteLevelSplitsWords) {
        case (0, false, true):
            return "gpt-2"
        case (0, true, true):
            return "smollm"
        case (1, false, false):
            let pattern = steps.splitPatterns[0]
            if llama3Patterns.contains(pattern) { return "llama-bpe" }
            if qwen2Patterns.contains(pattern) { return "qwen2" }
            if gpt2Patterns.contains(pattern) { return "gpt-2" }
            throw TokenizerError.unsupportedPreTokenizer("split pattern \(pattern.debugDescription)")
        default:
            throw TokenizerError.unsupportedPreTokenizer(
                "\(steps.splitPatterns.count) split patterns, individual digits \(steps.individualDigits), byte-level word split \(steps.byteLevelSplitsWords)")
        }
    }

    private static func collect(_ component: Any?, into steps: inout Steps) {
        guard let component = component as? [String: Any], let type = component["type"] as? String else { return }
        switch type {
        case "Sequence":
            for child in component["pretokenizers"] as? [Any] ?? [] { collect(child, into: &steps) }
        case "Split":
            let pattern = component["pattern"] as? [String: Any]
            if let regex = (pattern?["Regex"] ?? pattern?["String"]) as? String {
                steps.splitPatterns.append(regex)
            } else {
                steps.unknown.append("Split without a pattern")
            }
        case "Digits":
            if component["individual_digits"] as? Bool == true {
                steps.individualDigits = true
            } else {
                steps.unknown.append("Digits without individual_digits")
            }
        case "ByteLevel":
            // `use_regex` defaults to true: the GPT-2 split built into the byte-level step.
            steps.byteLevelSplitsWords = component["use_regex"] as? Bool ?? true
        default:
            steps.unknown.append(type)
        }
    }
}
