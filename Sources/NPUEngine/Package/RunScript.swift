/// The command line of a vendor run script (`run_qwen2.5_1.5b_ctx_axcl_aarch64.sh`), which is
/// where older packages name their files and sizes (axera.md §3.3).
public struct RunScript: Sendable, Equatable {
    /// `--name value` pairs in order; flags without a value map to "".
    public var arguments: [(name: String, value: String)]

    public static func == (a: RunScript, b: RunScript) -> Bool {
        a.arguments.map(\.name) == b.arguments.map(\.name) && a.arguments.map(\.value) == b.arguments.map(\.value)
    }

    public init(arguments: [(name: String, value: String)]) { self.arguments = arguments }

    public func value(_ name: String) -> String? { arguments.last { $0.name == name }?.value }

    /// Reads the first command in `text` that passes `--template_filename_axmodel`: backslash
    /// continuations joined, single and double quotes honoured, comments skipped.
    public init?(parsing text: String) {
        let joined = text.replacingOccurrences(of: "\\\r\n", with: " ").replacingOccurrences(of: "\\\n", with: " ")
        for line in joined.split(whereSeparator: \.isNewline) {
            let words = Self.words(of: String(line))
            guard words.contains("--template_filename_axmodel") else { continue }
            var arguments: [(String, String)] = []
            var index = words.startIndex
            while index < words.endIndex {
                let word = words[index]
                index += 1
                guard word.hasPrefix("--") else { continue }
                let name = String(word.dropFirst(2))
                if index < words.endIndex, !words[index].hasPrefix("--") {
                    arguments.append((name, words[index]))
                    index += 1
                } else {
                    arguments.append((name, ""))
                }
            }
            self.arguments = arguments
            return
        }
        return nil
    }

    /// Shell words of one line, up to an unquoted `#`.
    static func words(of line: String) -> [String] {
        var words: [String] = [], current = "", quote: Character?, inWord = false
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else if character == "#" && !inWord {
                break
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// The script text: one command, one argument per line, as the vendor writes them.
    public func rendered(executable: String) -> String {
        var lines = ["#!/bin/sh", "# Runs the package with the vendor's runner; axllama reads the same parameters.", executable + " \\"]
        for (offset, argument) in arguments.enumerated() {
            let last = offset == arguments.count - 1
            let value = argument.value.isEmpty ? "" : " " + Self.quoted(argument.value)
            lines.append("  --\(argument.name)\(value)" + (last ? "" : " \\"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func quoted(_ value: String) -> String {
        value.allSatisfy { $0.isLetter || $0.isNumber || "._/-:%".contains($0) } ? value : "\"" + value + "\""
    }
}

extension NPUPackageManifest {
    /// The manifest a run script describes; paths in it are relative to the script's directory.
    init(runScript script: RunScript, directory: String) throws {
        func required(_ name: String) throws -> String {
            guard let value = script.value(name), !value.isEmpty else {
                throw NPUEngineError.invalidPackage(directory: directory, reason: "the run script does not pass --\(name)")
            }
            return value
        }
        func number(_ name: String) throws -> Int {
            let text = try required(name)
            guard let value = Int(text), value > 0 else {
                throw NPUEngineError.invalidPackage(directory: directory, reason: "--\(name) \(text) is not a positive number")
            }
            return value
        }
        let template = try required("template_filename_axmodel")
        // Older scripts point at an HTTP tokenizer service; the files sit in a *_tokenizer directory.
        let tokenizer = script.value("filename_tokenizer_model") ?? script.value("url_tokenizer_model")
        self.init(
            modelName: template.split(separator: "/").first.map(String.init) ?? template,
            layerTemplate: template, layerCount: try number("axmodel_num"),
            postModel: try required("filename_post_axmodel"), embeddings: try required("filename_tokens_embed"),
            vocabularySize: try number("tokens_embed_num"), hiddenSize: try number("tokens_embed_size"),
            tokenizer: tokenizer.flatMap { $0.hasPrefix("http") ? nil : $0 }, postConfig: nil,
            addBOS: script.value("bos") == "1", addEOS: script.value("eos") == "1")
    }

    /// The vendor's runner parameters for this manifest (axera.md §3.3).
    public func runScript(devices: [Int] = [0]) -> RunScript {
        RunScript(arguments: [
            ("system_prompt", "You are a helpful assistant."),
            ("kvcache_path", "./kvcache"),
            ("template_filename_axmodel", layerTemplate),
            ("axmodel_num", String(layerCount)),
            ("tokenizer_type", "2"),
            ("url_tokenizer_model", "http://127.0.0.1:12345"),
            ("filename_post_axmodel", postModel),
            ("filename_tokens_embed", embeddings),
            ("tokens_embed_num", String(vocabularySize)),
            ("tokens_embed_size", String(hiddenSize)),
            ("use_mmap_load_embed", "1"),
            ("bos", addBOS ? "1" : "0"),
            ("eos", addEOS ? "1" : "0"),
            ("live_print", "1"),
            ("devices", devices.map(String.init).joined(separator: ",")),
        ])
    }
}
