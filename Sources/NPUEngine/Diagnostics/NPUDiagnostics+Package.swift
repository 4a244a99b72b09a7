import AXCL
import Foundation
import Tokenizer

extension NPUDiagnostics {
    /// The package on each card in turn; when no card holds it whole and there are several,
    /// split across them by the placement `serve` uses. The IO tables are printed once; every
    /// placement runs the generation and the prefill check, and must generate the same tokens.
    func checkPackage(_ directory: URL, on cards: [CardSupervisor], report: (String) -> Void, fail: (String) -> Void) async throws {
        report("== Package \(directory.path)")
        let package = try NPUModelPackage(directory: directory)
        let m = package.manifest
        report("layout: \(package.layout.rawValue), \(m.layerCount) layers, vocabulary \(m.vocabularySize), hidden \(m.hiddenSize)")
        let tokenizer = try BPETokenizer(configuration: package.tokenizerConfiguration())
        var context = Exercise(tokenizer: tokenizer, promptTokens: tokenizer.encode(prompt, addSpecial: true, parseSpecial: false))
        var tooSmall: [String] = []
        for card in cards {
            let name = card.status.name
            report("== On \(name)")
            let loadStart = Date()
            let engine: NPUEngine
            do {
                engine = try await card.loadEngine(package, options: options)
            } catch let error as NPUEngineError {
                if case .insufficientCMM = error {
                    report("\(name) cannot hold it whole: \(error)")
                    tooSmall.append(name)
                } else {
                    fail("\(name): loading: \(error)")
                }
                continue
            }
            report(String(format: "loaded in %.1f s; context %d positions", Date().timeIntervalSince(loadStart), engine.shapes.capacity))
            await exercise(engine, on: name, package: package, context: &context, report: report, fail: fail)
        }
        guard tooSmall.count == cards.count else { return }
        guard cards.count >= 2 else {
            fail("no card holds \(m.modelName) whole, and no second card that passed its checks is configured to split it across "
                + "(AXLLAMA_DEVICES, --devices)")
            return
        }
        report("== Split across \(cards.map(\.status.name).joined(separator: ", "))")
        let loadStart = Date()
        let engine: NPUEngine
        do {
            engine = try await NPUCardPool(cards: cards).place(package, options: options)
        } catch {
            fail("split across the cards: \(error)")
            return
        }
        let placement = engine.placement.map { share in
            "\(cards.first { $0.device.id == share.device.id }?.status.name ?? "\(share.device.id)") layers "
                + "\(share.layers.lowerBound)-\(share.layers.upperBound - 1)"
        }
        report(String(format: "placed as %@; loaded in %.1f s; context %d positions", placement.joined(separator: ", "),
                      Date().timeIntervalSince(loadStart), engine.shapes.capacity))
        await exercise(engine, on: "the split", package: package, context: &context, report: report, fail: fail)
    }

    /// What the placements of one package share: its tokenizer and prompt, whether the IO tables
    /// were printed, and the first placement's greedy tokens that the others must reproduce.
    struct Exercise {
        let tokenizer: BPETokenizer
        let promptTokens: [Int32]
        var printedTables = false
        var reference: (placement: String, tokens: [Int32])?
    }

    /// One loaded placement: IO tables (once), a short greedy generation, chunked against
    /// token-by-token prefill; then unloaded. A failure is reported and ends this placement's checks.
    private func exercise(_ engine: NPUEngine, on placement: String, package: NPUModelPackage, context: inout Exercise,
                          report: (String) -> Void, fail: (String) -> Void) async {
        do {
            if !context.printedTables {
                try await printTables(engine, package: package, report: report)
                context.printedTables = true
            }
            let generated = try await generate(engine, context: context, report: report)
            if let reference = context.reference {
                if generated == reference.tokens {
                    report("same tokens as on \(reference.placement)")
                } else {
                    fail("\(placement) generates other tokens than \(reference.placement): "
                        + "\(context.tokenizer.decode(generated).debugDescription) against \(context.tokenizer.decode(reference.tokens).debugDescription)")
                }
            } else {
                context.reference = (placement, generated)
            }
            try await comparePrefill(engine, context: context, report: report, fail: fail)
        } catch {
            fail("\(placement): \(error)")
        }
        do {
            try await engine.unload()
        } catch {
            fail("\(placement): unloading: \(error)")
        }
    }

    private func printTables(_ engine: NPUEngine, package: NPUModelPackage, report: (String) -> Void) async throws {
        let tables = try await engine.ioTables()
        for (index, groups) in tables.enumerated() {
            let title = index < package.manifest.layerCount ? "layer \(index) (\(package.layerFiles[index].lastPathComponent))" : "post model"
            report("-- \(title): \(groups.count) shape group(s)")
            for group in groups {
                let io = (group.inputs.map { "in \($0.name) \($0.dimensions) \($0.dataType) \($0.byteCount) B" }
                    + group.outputs.map { "out \($0.name) \($0.dimensions) \($0.dataType) \($0.byteCount) B" })
                report("   group \(group.index): " + io.joined(separator: "; "))
            }
        }
        let shapes = engine.shapes
        report("decode group \(shapes.decodeGroup) (capacity \(shapes.capacity)); prefill groups "
            + shapes.prefillGroups.map { "\($0.index): chunk \($0.chunk) after \($0.history)" }.joined(separator: ", "))
    }

    private func generate(_ engine: NPUEngine, context: Exercise, report: (String) -> Void) async throws -> [Int32] {
        let promptTokens = context.promptTokens
        report("-- greedy generation (\(promptTokens.count) prompt tokens)")
        let started = Date()
        var logits = try await engine.forward(promptTokens, at: 0)
        let prefillSeconds = Date().timeIntervalSince(started)
        var generated: [Int32] = []
        let decodeStart = Date()
        for step in 0 ..< generatedTokens {
            let next = Int32(Self.argmax(logits.values))
            generated.append(next)
            if step + 1 < generatedTokens { logits = try await engine.forward([next], at: promptTokens.count + step) }
        }
        let decodeSeconds = Date().timeIntervalSince(decodeStart)
        report("text: " + context.tokenizer.decode(generated).debugDescription)
        report(String(format: "prefill %.0f ms, decode %.2f tokens/s", prefillSeconds * 1000,
                      Double(max(1, generated.count - 1)) / max(decodeSeconds, 1e-9)))
        let counters = await engine.counters()
        report(String(format: "host time per decoded token %.3f ms (execute time excluded)", counters.hostSecondsPerDecodedToken * 1000))
        return generated
    }

    private func comparePrefill(_ engine: NPUEngine, context: Exercise, report: (String) -> Void, fail: (String) -> Void) async throws {
        let promptTokens = context.promptTokens
        report("-- chunked prefill against token-by-token prefill")
        await engine.truncateCache(to: 0)
        let chunked = try await engine.forward(promptTokens, at: 0, prefillMode: .chunked)
        let lastLayer = engine.package.manifest.layerCount - 1
        let chunkRows = try await engine.cacheRows(layer: lastLayer, range: 0 ..< promptTokens.count)
        await engine.truncateCache(to: 0)
        let single = try await engine.forward(promptTokens, at: 0, prefillMode: .tokenByToken)
        let singleRows = try await engine.cacheRows(layer: lastLayer, range: 0 ..< promptTokens.count)
        let differing = zip(chunkRows.keys + chunkRows.values, singleRows.keys + singleRows.values).filter { $0 != $1 }.count
        let sameToken = Self.argmax(chunked.values) == Self.argmax(single.values)
        let cache = engine.shapes.cacheType
        let unit = cache == .fp32 ? "16-bit words of the fp32 cache" : "\(cache.rawValue) values"
        report("last layer K/V: \(differing) of \(chunkRows.keys.count * 2) \(unit) differ; next token "
            + (sameToken ? "agrees" : "differs"))
        if !sameToken { fail("chunked prefill and token-by-token prefill choose different next tokens: use prefill mode token-by-token for this package") }
    }

    static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }
}
