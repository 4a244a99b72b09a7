import Foundation
import GGUF
import Hummingbird
import OllamaAPI
import Runtime

/// The model-management endpoints: tags, show, ps, copy, delete, blobs, pull and push.
struct ModelRoutes: Sendable {
    let models: ModelService
    var store: ModelStore { models.store }

    func tags() -> Response {
        var entries: [ListModel] = []
        for name in store.allModelNames() {
            guard let model = try? store.storedModel(name) else { continue }
            entries.append(ListModel(name: name.displayShortest, modifiedAt: ModelDescription.timestamp(model), size: model.totalSize,
                                     digest: model.manifestDigest, details: ModelDescription.details(model),
                                     capabilities: ModelDescription.capabilities(model, in: models)))
        }
        // Newest first (ollama `sortListModelResponses`).
        entries.sort { $0.modifiedAt > $1.modifiedAt }
        return WireMessages.json(ListResponse(models: entries))
    }

    func show(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let body = try await WireMessages.decode(ShowRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        guard let text = body.modelName else { throw APIError.modelRequired }
        guard let name = ModelName(text) else { throw APIError.invalidModelName }
        let model: StoredModel
        do {
            model = try store.storedModel(name)
        } catch ModelStoreError.notFound {
            throw APIError(.notFound, "model '\(name.displayShortest)' not found")
        }
        var details = ModelDescription.details(model)
        let template: String?
        let modelInfo: JSONValue
        switch model.weights {
        case let .gguf(url):
            let file = try GGUFFile(path: url.path)
            template = model.template ?? file.string("tokenizer.chat_template")
            if let architecture = file.architecture {
                details.contextLength = file.int("\(architecture).context_length")
                details.embeddingLength = file.int("\(architecture).embedding_length")
            }
            modelInfo = ModelDescription.modelInfo(file, verbose: body.verbose == true)
        case let .npuPackage(directory):
            guard let summary = models.packageSummary(model) else {
                throw APIError(.internalServerError, "the NPU model package of '\(model.name.displayShortest)' at \(directory.path) cannot be read: "
                    + "it was moved or removed; put it back or create the model again")
            }
            template = model.template ?? summary.chatTemplate
            // Packages do not state their context; the decode group's capacity is known once loaded.
            let loaded = await models.scheduler.residents().first { $0.model.stored.name == model.name }?.model.contextLength
            details.contextLength = summary.contextLength ?? loaded
            details.embeddingLength = summary.embeddingLength
            modelInfo = ModelDescription.modelInfo(summary, directory: directory, contextLength: details.contextLength)
        }
        let parameters = ModelDescription.parameters(model)
        return WireMessages.json(ShowResponse(
            license: model.license.joined(separator: "\n"),
            modelfile: ModelDescription.modelfile(model, template: model.template),
            parameters: ModelDescription.parametersText(parameters),
            template: template, system: body.system ?? model.system, details: details,
            messages: ModelDescription.messages(model), modelInfo: modelInfo,
            capabilities: ModelDescription.capabilities(model, in: models), modifiedAt: ModelDescription.timestamp(model)))
    }

    func ps() async -> Response {
        let now = WireTimestamp.now()
        let entries = await models.scheduler.residents().map { resident -> ProcessModel in
            let model = resident.model.stored
            let expires = resident.expiresAtUnixNanoseconds.map {
                WireTimestamp(seconds: $0 / 1_000_000_000, nanoseconds: Int32($0 % 1_000_000_000))
            } ?? now.adding(nanoseconds: Int64.max)
            // CPU engines report no accelerator memory, which the CLI prints as "100% CPU"; an NPU
            // model's memory is the card's CMM it holds, all of it on the device ("100% GPU"), read
            // from the engine now: a model moved off a failed card holds what it holds on the new ones.
            let deviceBytes = resident.model.session.engine.descriptor.deviceMemoryBytes
            return ProcessModel(name: model.name.displayShortest, size: deviceBytes ?? model.totalSize, digest: model.manifestDigest,
                                details: ModelDescription.details(model), expiresAt: expires.local, sizeVRAM: deviceBytes ?? 0,
                                contextLength: resident.model.contextLength)
        }
        return WireMessages.json(ProcessResponse(models: entries))
    }

    func copy(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let body = try await WireMessages.decode(CopyRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        guard let source = ModelName(body.source ?? "") else { throw APIError(.badRequest, "source \"\(body.source ?? "")\" is invalid") }
        guard let destination = ModelName(body.destination ?? "") else {
            throw APIError(.badRequest, "destination \"\(body.destination ?? "")\" is invalid")
        }
        do {
            try store.copyModel(from: source, to: destination)
        } catch ModelStoreError.notFound {
            throw APIError(.notFound, "model \"\(body.source ?? "")\" not found")
        }
        return WireMessages.emptyOK()
    }

    func delete(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let body = try await WireMessages.decode(DeleteRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        guard let text = body.modelName else { throw APIError.modelRequired }
        guard let name = ModelName(text) else { throw APIError(.badRequest, "name \"\(text)\" is invalid") }
        do {
            let stored = try store.storedModel(name)
            await models.unload(stored)
            try store.deleteModel(name)
        } catch ModelStoreError.notFound {
            throw APIError.modelNotFound(text)
        }
        return WireMessages.emptyOK()
    }

    func blobExists(_ digest: String) throws -> Response {
        guard let digest = ModelStore.normalizedDigest(digest) else { throw APIError(.badRequest, "invalid digest format") }
        return Response(status: store.hasBlob(digest: digest) ? .ok : .notFound)
    }

    /// Streams the upload to a temporary file while hashing it, then moves it into place.
    func uploadBlob(_ request: Request, digest text: String) async throws -> Response {
        guard let digest = ModelStore.normalizedDigest(text) else { throw APIError(.badRequest, "invalid digest format") }
        if store.hasBlob(digest: digest) { return Response(status: .ok) }
        let blobs = store.root.appendingPathComponent("blobs")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        let partial = blobs.appendingPathComponent("upload-\(UInt64.random(in: 0 ... .max))-partial")
        FileManager.default.createFile(atPath: partial.path, contents: nil)
        let handle = try FileHandle(forWritingTo: partial)
        var hasher = SHA256Digest()
        do {
            for try await buffer in request.body {
                buffer.withUnsafeReadableBytes { hasher.update($0) }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        let actual = "sha256:" + hasher.finalizeHex()
        guard actual == digest else {
            try? FileManager.default.removeItem(at: partial)
            throw APIError(.badRequest, "digest mismatch, expected \"\(digest)\", got \"\(actual)\"")
        }
        try FileManager.default.moveItem(at: partial, to: store.blobURL(digest: digest))
        return Response(status: .created)
    }

    /// Registries are out of reach: a model already in the store "pulls" at once; anything
    /// else ends the stream with Ollama's error line for a manifest that does not exist.
    func pull(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let body = try await WireMessages.decode(TransferRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        guard let text = body.modelName, let name = ModelName(text) else { throw APIError.invalidModelName }
        var lines: [ProgressResponse] = [ProgressResponse(status: "pulling manifest")]
        let present = store.existingName(name) != nil
        if present {
            lines += [ProgressResponse(status: "verifying sha256 digest"), ProgressResponse(status: "writing manifest"), ProgressResponse(status: "success")]
        }
        let failure = "pull model manifest: file does not exist"
        if body.stream == false {
            if present { return WireMessages.json(ProgressResponse(status: "success")) }
            throw APIError(.internalServerError, failure)
        }
        var data = Data()
        for line in lines { data.append(WireCoding.line(line)) }
        if !present { data.append(WireCoding.line(ErrorResponse(error: failure))) }
        return Response(status: .ok, headers: [.contentType: WireMessages.ndjsonContentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    func push(_ request: Request, context: some RequestContext) async throws -> Response {
        var request = request
        let body = try await WireMessages.decode(TransferRequest.self, from: &request, limit: models.settings.maxBodyBytes)
        guard let text = body.modelName else { throw APIError.modelRequired }
        guard let name = ModelName(text) else { throw APIError.invalidModelName }
        guard store.existingName(name) != nil else { throw APIError.modelNotFound(text) }
        let failure = "pushing to a registry is not supported by axllama"
        if body.stream == false { throw APIError(.internalServerError, failure) }
        var data = WireCoding.line(ProgressResponse(status: "retrieving manifest"))
        data.append(WireCoding.line(ErrorResponse(error: failure)))
        return Response(status: .ok, headers: [.contentType: WireMessages.ndjsonContentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
