import ArgumentParser
import Foundation
import OllamaAPI

/// `axllama list`: the models in the store, newest first.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List models.", aliases: ["ls"])

    @Argument(help: "Only models whose name starts with this.")
    var prefix: String?

    func run() async throws {
        let list = try await OllamaClient().call("GET", "/api/tags", Optional<ErrorResponse>.none, as: ListResponse.self)
        let now = WireTimestamp.now()
        var rows = [["NAME", "ID", "SIZE", "MODIFIED"]]
        for model in list.models where prefix.map({ model.name.hasPrefix($0) }) ?? true {
            rows.append([model.name, String(model.digest.prefix(12)), HumanFormat.bytes(model.size),
                         HumanFormat.relative(seconds: Double(now.seconds - model.modifiedAt.seconds))])
        }
        print(TableLayout(rows: rows).text, terminator: "")
    }
}

/// `axllama ps`: the resident models.
struct PsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List running models.")

    func run() async throws {
        let list = try await OllamaClient().call("GET", "/api/ps", Optional<ErrorResponse>.none, as: ProcessResponse.self)
        let now = WireTimestamp.now()
        var rows = [["NAME", "ID", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"]]
        for model in list.models {
            let processor: String
            if model.sizeVRAM == 0 {
                processor = "100% CPU"
            } else if model.sizeVRAM >= model.size {
                processor = "100% GPU"
            } else {
                let gpu = Int((Double(model.sizeVRAM) / Double(model.size) * 100).rounded())
                processor = "\(100 - gpu)%/\(gpu)% CPU/GPU"
            }
            let remaining = model.expiresAt.seconds - now.seconds
            let until = remaining < 0 ? "Stopping..." : HumanFormat.relative(seconds: Double(-remaining))
            rows.append([model.name, String(model.digest.prefix(12)), HumanFormat.bytes(model.size), processor, String(model.contextLength), until])
        }
        print(TableLayout(rows: rows).text, terminator: "")
    }
}

/// `axllama show MODEL`.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show information for a model.")

    @Argument var model: String
    @Flag(help: "Show the license.") var license = false
    @Flag(help: "Show a Modelfile that rebuilds the model.") var modelfile = false
    @Flag(help: "Show the parameters.") var parameters = false
    @Flag(help: "Show the template.") var template = false
    @Flag(help: "Show the system prompt.") var system = false
    @Flag(name: .shortAndLong, help: "Show all metadata.") var verbose = false

    func run() async throws {
        let show = try await OllamaClient().call("POST", "/api/show", ShowRequest(model: model, verbose: verbose), as: ShowResponse.self)
        if license { return print(show.license ?? "") }
        if modelfile { return print(show.modelfile ?? "") }
        if parameters { return print(show.parameters ?? "") }
        if template { return print(show.template ?? "") }
        if system { return print(show.system ?? "") }
        let architecture = show.modelInfo["general.architecture"]?.stringValue ?? show.details.family
        func info(_ key: String) -> String? { show.modelInfo["\(architecture).\(key)"].map { $0.compactText } }
        var rows: [(String, String)] = [("architecture", architecture), ("parameters", show.details.parameterSize)]
        if let context = info("context_length") { rows.append(("context length", context)) }
        if let embedding = info("embedding_length") { rows.append(("embedding length", embedding)) }
        rows.append(("quantization", show.details.quantizationLevel))
        var text = "  Model\n" + rows.map { "    " + $0.0.padding(toLength: 20, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n") + "\n\n"
        if let capabilities = show.capabilities, !capabilities.isEmpty {
            text += "  Capabilities\n" + capabilities.map { "    \($0)" }.joined(separator: "\n") + "\n\n"
        }
        if let parameters = show.parameters, !parameters.isEmpty {
            text += "  Parameters\n" + parameters.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n") + "\n\n"
        }
        if let system = show.system, !system.isEmpty { text += "  System\n    \(system)\n\n" }
        if let license = show.license, !license.isEmpty {
            text += "  License\n" + license.split(separator: "\n").prefix(2).map { "    \($0)" }.joined(separator: "\n") + "\n\n"
        }
        print(text, terminator: "")
        if verbose { print("  Metadata\n" + WireCoding.encode(show.modelInfo).description) }
    }
}

/// `axllama create MODEL -f Modelfile`: a GGUF named by path is uploaded as a blob first, so the
/// server need not see the client's files.
struct CreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a model from a Modelfile.")

    @Argument var model: String
    @Option(name: .shortAndLong, help: "Path to the Modelfile (default: ./Modelfile).")
    var file = "Modelfile"

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw ValidationError("cannot read Modelfile at \(file)") }
        let client = OllamaClient()
        var request = CreateRequest(model: model, modelfile: text)
        if let from = try? ModelfileFrom.path(in: text, relativeTo: url.deletingLastPathComponent()) {
            print("gathering model components")
            let data = try Data(contentsOf: from, options: .alwaysMapped)
            let digest = "sha256:" + SHA256.hex(data)
            let head = try await client.send("HEAD", "/api/blobs/\(digest)")
            if head.head.status != 200 {
                print("copying file \(digest)")
                let upload = try await client.send("POST", "/api/blobs/\(digest)", body: data)
                guard (200 ..< 300).contains(upload.head.status) else {
                    throw OllamaResponseError(status: upload.head.status, message: String(decoding: upload.body, as: UTF8.self))
                }
            }
            request.files = [from.lastPathComponent: digest]
        } else if let directory = ModelfileFrom.directory(in: text, relativeTo: url.deletingLastPathComponent()) {
            request.from = directory
        }
        for try await progress in client.stream("/api/create", request, as: ProgressResponse.self) { print(progress.status) }
    }
}

/// `axllama cp SOURCE DESTINATION`.
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cp", abstract: "Copy a model.")
    @Argument var source: String
    @Argument var destination: String

    func run() async throws {
        try await OllamaClient().call("POST", "/api/copy", CopyRequest(source: source, destination: destination))
        print("copied '\(source)' to '\(destination)'")
    }
}

/// `axllama rm MODEL…`: unloads, then deletes.
struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a model.")
    @Argument var models: [String]

    func run() async throws {
        let client = OllamaClient()
        for model in models {
            _ = try? await client.send("POST", "/api/generate", body: WireCoding.encode(GenerateRequest(model: model, keepAlive: .unloadImmediately)))
            try await client.call("DELETE", "/api/delete", DeleteRequest(model: model))
            print("deleted '\(model)'")
        }
    }
}

/// `axllama stop MODEL`: unloads a running model.
struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a running model.")
    @Argument var model: String

    func run() async throws {
        let client = OllamaClient()
        let running = try await client.call("GET", "/api/ps", Optional<ErrorResponse>.none, as: ProcessResponse.self)
        let full = model.contains(":") ? model : model + ":latest"
        guard running.models.contains(where: { $0.name == full || $0.name == model }) else {
            throw ValidationError("couldn't find model \"\(model)\" to stop")
        }
        _ = try await client.call("POST", "/api/generate", GenerateRequest(model: model, keepAlive: .unloadImmediately), as: GenerateResponse.self)
    }
}

/// `axllama pull MODEL`: registries are not reachable yet, so only models already in the store succeed.
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Pull a model from a registry.")
    @Argument var model: String

    func run() async throws {
        for try await progress in OllamaClient().stream("/api/pull", TransferRequest(model: model), as: ProgressResponse.self) {
            print(progress.status)
        }
    }
}
