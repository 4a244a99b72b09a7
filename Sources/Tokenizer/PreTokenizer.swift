/// How text is cut into words before BPE runs. Each case is one of llama.cpp's regex splits,
/// implemented as a hand-written scanner over Unicode scalars (llama.cpp llama-vocab, unicode.cpp).
public enum PreTokenizer: String, Sendable, CaseIterable {
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// Every `\p{N}` isolated first, then the GPT-2 split inside each piece (SmolLM, StarCoder).
    case smollm
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3
    /// The Llama-3 split with single digits (`\p{N}` instead of `\p{N}{1,3}`).
    case qwen2
    /// llama.cpp's fallback when the name is missing: punctuation runs, GPT-2, number runs, then
    /// ASCII digit triples.
    case fallback

    /// Maps a `tokenizer.ggml.pre` name. Names llama.cpp files under the same split share a case.
    public init(ggufName: String?) {
        guard let name = ggufName else {
            self = .fallback
            return
        }
        switch name {
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
             "dbrx", "smaug-bpe", "chatglm-bpe", "glm4":
            self = .llama3
        case "qwen2", "deepseek-r1-qwen", "megrez", "stablelm2", "hunyuan", "kormo":
            self = .qwen2
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b":
            self = .smollm
        case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
             "mellum", "mpt", "olmo", "jais", "trillion", "exaone4", "roberta-bpe", "jina-v1-en",
             "jina-v2-code":
            self = .gpt2
        default:
            self = .fallback
        }
    }

    /// llama.cpp merges nothing for a word that is already a vocabulary entry under Llama-3.
    var ignoresMergesForKnownWords: Bool { self == .llama3 }

    /// llama.cpp adds BOS by default only for the Llama-3 family; metadata overrides it.
    var addsBOSByDefault: Bool { self == .llama3 }

    /// Whether decoding removes spaces before punctuation unless metadata says otherwise.
    func cleansSpacesByDefault(ggufName: String?) -> Bool {
        switch ggufName {
        case "smollm", "qwen2", "deepseek-r1-qwen", "kormo", "command-r", "hunyuan":
            return false
        default:
            return true
        }
    }

    /// Cuts `scalars` into words; returns the end index of each word, in order.
    func split(_ scalars: [Unicode.Scalar], classes: [ScalarClass]) -> [Int] {
        let whole = [scalars.count]
        switch self {
        case .gpt2:
            return PreTokenizerScanners.gpt2(scalars, classes, pieceEnds: whole)
        case .smollm:
            let digits = PreTokenizerScanners.isolateEach(classes, pieceEnds: whole) { $0.contains(.number) }
            return PreTokenizerScanners.gpt2(scalars, classes, pieceEnds: digits)
        case .llama3:
            return PreTokenizerScanners.llama3(scalars, classes, pieceEnds: whole, digitGroup: 3)
        case .qwen2:
            return PreTokenizerScanners.llama3(scalars, classes, pieceEnds: whole, digitGroup: 1)
        case .fallback:
            var ends = PreTokenizerScanners.isolateRuns(classes, pieceEnds: whole) {
                $0.contains(.punctuationOrListedSymbol)
            }
            ends = PreTokenizerScanners.gpt2(scalars, classes, pieceEnds: ends)
            ends = PreTokenizerScanners.isolateRuns(classes, pieceEnds: ends) { $0.contains(.number) }
            return PreTokenizerScanners.isolateASCIIDigitTriples(scalars, pieceEnds: ends)
        }
    }
}
