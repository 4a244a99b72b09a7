import AXCL
import AXCLSimulatorSupport
import AXCLSimulatorInterface
import Foundation
import SimulatedAXModel
import Testing

extension SimulatorBackedTests {
    /// A simulated decoder layer executed through the binding against the reference math.
    @Suite(.enabled(if: Simulator.isAvailable)) struct LayerModel {
        static let masked: Float = -65536 // 0xC780 (axera.md §3.4)

        /// One IO set per group with exact-size dedicated buffers (axera.md §3.5, §7.5).
        struct Runner {
            let device: AXCLDevice, model: EngineModel, context: EngineContext, info: EngineIOInfo
            var ios: [EngineIO] = [], buffers: [[String: DeviceBuffer]] = []

            init(device: AXCLDevice, path: String) async throws {
                self.device = device
                model = try await device.loadModel(path: path)
                context = try await device.createContext(for: model)
                info = try await device.ioInfo(for: model)
                for group in info.groups {
                    let io = try await device.createIO(info)
                    var named: [String: DeviceBuffer] = [:]
                    for tensor in group.inputs {
                        let buffer = try await device.allocate(byteCount: tensor.byteCount)
                        try await device.fill(buffer.address, byteCount: buffer.byteCount)
                        try await device.bindInput(io, index: tensor.index, to: buffer)
                        named[tensor.name] = buffer
                    }
                    for tensor in group.outputs {
                        let buffer = try await device.allocate(byteCount: tensor.byteCount)
                        try await device.bindOutput(io, index: tensor.index, to: buffer)
                        named[tensor.name] = buffer
                    }
                    ios.append(io)
                    buffers.append(named)
                }
            }

            func write(_ values: [Float], to name: String, group: Int) async throws {
                try await device.write(values.map { Float.bf16Bits($0) }, to: buffers[group][name]!.address)
            }

            func read(_ name: String, group: Int) async throws -> [Float] {
                let buffer = buffers[group][name]!
                return try await device.read(UInt16.self, count: buffer.byteCount / 2, from: buffer.address).map { Float(bf16: $0) }
            }

            /// Runs `group` with the given inputs (already bf16-representable) and returns the outputs.
            func run(group: Int, kCache: [Float], vCache: [Float], positions: [UInt32], input: [Float], mask: [Float]) async throws
                -> (k: [Float], v: [Float], output: [Float])
            {
                try await write(kCache, to: "K_cache", group: group)
                try await write(vCache, to: "V_cache", group: group)
                try await write(input, to: "input", group: group)
                try await write(mask, to: "mask", group: group)
                try await device.write(positions, to: buffers[group]["indices"]!.address)
                try await device.execute(model, context: context, group: group, io: ios[group])
                return (try await read("K_cache_out", group: group), try await read("V_cache_out", group: group),
                        try await read("output", group: group))
            }

            func tearDown() async throws {
                for named in buffers { for buffer in named.values { try await device.free(buffer) } }
                for io in ios { try await device.destroy(io) }
                try await device.destroy(info)
                try await device.unload(model)
            }
        }

        func open() async throws -> (AXCLDevice, AXCLRuntime, SimulatorControl, TemporaryDirectory) {
            let (library, control) = try Simulator.fresh()
            let runtime = try AXCLRuntime(library: library)
            let device = try await AXCLDevice.open(runtime, id: try runtime.devices()[0])
            try await device.initializeEngine()
            return (device, runtime, control, try TemporaryDirectory())
        }

        func expectClose(_ actual: [Float], _ expected: [Float], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(actual.count == expected.count, sourceLocation: sourceLocation)
            let worst = zip(actual, expected).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            // bf16 keeps 8 significant bits: one rounding of the output is 2^-8 relative.
            #expect(worst <= 0.02, "\(what): worst relative error \(worst)", sourceLocation: sourceLocation)
        }

        static let variants: [(String, UInt32, Bool)] = [
            ("llama", 0, false),
            ("qwen3-like", AXSIM_FLAG_ROPE_NEOX.rawValue | AXSIM_FLAG_QK_NORM.rawValue, true),
            ("qwen2-like", AXSIM_FLAG_ROPE_NEOX.rawValue | AXSIM_FLAG_QKV_BIAS.rawValue, false),
        ]

        @Test(arguments: variants)
        func decodeGroupMatchesTheReferenceBlock(variant: String, flags: UInt32, bf16Weights: Bool) async throws {
            let (device, runtime, _, directory) = try await open()
            let layer = TinyLayer(flags: flags)
            try layer.writer(bf16Weights: bf16Weights).write(to: directory.file("layer.axmodel"))
            let runner = try await Runner(device: device, path: directory.file("layer.axmodel").path)
            let capacity = layer.groups[0].history, position = 5
            var random = SeededGenerator(state: 99)
            // Rows beyond the position hold garbage that the mask must hide.
            let kCache = random.values(capacity * layer.kvDim).map(\.bf16Rounded)
            let vCache = random.values(capacity * layer.kvDim).map(\.bf16Rounded)
            let input = random.values(layer.hidden, scale: 2).map(\.bf16Rounded)
            var mask = [Float](repeating: Self.masked, count: capacity + 1)
            for j in 0 ..< position { mask[j] = 0 }
            mask[capacity] = 0 // the token's own slot (axera.md §3.7)
            let result = try await runner.run(group: 0, kCache: kCache, vCache: vCache, positions: [UInt32(position)], input: input, mask: mask)
            let weights = bf16Weights ? layer.weights.mapValues { $0.map(\.bf16Rounded) } : layer.weights
            let storedWeights = weights.merging(layer.weights.filter { layer.dims(of: $0.key).count == 1 }) { _, vector in vector }
            let expected = layer.reference(input: input, kCache: kCache, vCache: vCache, mask: mask, positions: [position],
                                           history: capacity, weightsAsStored: storedWeights)
            expectClose(result.k, expected.k, "\(variant) K_cache_out")
            expectClose(result.v, expected.v, "\(variant) V_cache_out")
            expectClose(result.output, expected.output, "\(variant) output")
            try await runner.tearDown()
            try await device.close()
            try runtime.finalize()
        }

        @Test func prefillGroupWithHistoryMatchesTheReferenceOnItsRealRows() async throws {
            let (device, runtime, _, directory) = try await open()
            let layer = TinyLayer(flags: AXSIM_FLAG_ROPE_NEOX.rawValue)
            try layer.writer().write(to: directory.file("layer.axmodel"))
            let runner = try await Runner(device: device, path: directory.file("layer.axmodel").path)
            let group = 2, (rows, history) = layer.groups[group]
            let cached = 3, real = 5
            var random = SeededGenerator(state: 5)
            let kCache = random.values(history * layer.kvDim).map(\.bf16Rounded)
            let vCache = random.values(history * layer.kvDim).map(\.bf16Rounded)
            var input = random.values(real * layer.hidden, scale: 2).map(\.bf16Rounded)
            input += [Float](repeating: 0, count: (rows - real) * layer.hidden) // zero padding (axera.md §3.6)
            // Mask [P x (H + P)]: cached columns and the causal part of the chunk are visible.
            var mask = [Float](repeating: Self.masked, count: rows * (history + rows))
            for i in 0 ..< real {
                for j in 0 ..< cached { mask[i * (history + rows) + j] = 0 }
                for j in 0 ... i { mask[i * (history + rows) + history + j] = 0 }
            }
            let positions = (0 ..< rows).map { UInt32(cached + $0) }
            let result = try await runner.run(group: group, kCache: kCache, vCache: vCache, positions: positions, input: input, mask: mask)
            let expected = layer.reference(input: input, kCache: kCache, vCache: vCache, mask: mask, positions: positions.map(Int.init),
                                           history: history, weightsAsStored: layer.weights)
            let realOutput = real * layer.hidden, realKV = real * layer.kvDim
            expectClose(Array(result.output.prefix(realOutput)), Array(expected.output.prefix(realOutput)), "output")
            expectClose(Array(result.k.prefix(realKV)), Array(expected.k.prefix(realKV)), "K_cache_out")
            try await runner.tearDown()
            try await device.close()
            try runtime.finalize()
        }

        @Test func chunkedPrefillAndTokenByTokenDecodeAgree() async throws {
            let (device, runtime, _, directory) = try await open()
            let layer = TinyLayer(flags: AXSIM_FLAG_ROPE_NEOX.rawValue | AXSIM_FLAG_QK_NORM.rawValue)
            try layer.writer().write(to: directory.file("layer.axmodel"))
            let runner = try await Runner(device: device, path: directory.file("layer.axmodel").path)
            let count = 5, kv = layer.kvDim, capacity = layer.groups[0].history
            var random = SeededGenerator(state: 17)
            let tokens = random.values(count * layer.hidden, scale: 2).map(\.bf16Rounded)

            // Prefill group 1 (P = 8, history placeholder H = 1): one chunk, nothing cached.
            let (rows, history) = layer.groups[1]
            var mask = [Float](repeating: Self.masked, count: rows * (history + rows))
            for i in 0 ..< count { for j in 0 ... i { mask[i * (history + rows) + history + j] = 0 } }
            let padded = tokens + [Float](repeating: 0, count: (rows - count) * layer.hidden)
            let chunk = try await runner.run(group: 1, kCache: [Float](repeating: 0, count: history * kv),
                                             vCache: [Float](repeating: 0, count: history * kv),
                                             positions: (0 ..< rows).map { UInt32($0) }, input: padded, mask: mask)

            // Decode group: one token at a time, appending K/V rows on the host side.
            var kCache = [Float](repeating: 0, count: capacity * kv), vCache = kCache
            var decodeMask = [Float](repeating: Self.masked, count: capacity + 1)
            decodeMask[capacity] = 0
            for position in 0 ..< count {
                let step = try await runner.run(group: 0, kCache: kCache, vCache: vCache, positions: [UInt32(position)],
                                                input: Array(tokens[position * layer.hidden ..< (position + 1) * layer.hidden]),
                                                mask: decodeMask)
                expectClose(step.output, Array(chunk.output[position * layer.hidden ..< (position + 1) * layer.hidden]),
                            "output at position \(position)")
                #expect(step.k == Array(chunk.k[position * kv ..< (position + 1) * kv]), "K row \(position)")
                kCache.replaceSubrange(position * kv ..< (position + 1) * kv, with: step.k)
                vCache.replaceSubrange(position * kv ..< (position + 1) * kv, with: step.v)
                decodeMask[position] = 0
            }
            try await runner.tearDown()
            try await device.close()
            try runtime.finalize()
        }

        @Test func unzeroedCacheRowsPoisonTheOutputAsOnTheCard() async throws {
            let (device, runtime, _, directory) = try await open()
            let layer = TinyLayer()
            try layer.writer().write(to: directory.file("layer.axmodel"))
            let runner = try await Runner(device: device, path: directory.file("layer.axmodel").path)
            // Fresh device memory is not zeroed: a K cache that was never written holds NaNs
            // that leak through the additive mask (axera.md §7.5).
            let cache = runner.buffers[0]["K_cache"]!
            try await device.fill(cache.address, value: 0xFF, byteCount: cache.byteCount)
            let capacity = layer.groups[0].history
            var mask = [Float](repeating: Self.masked, count: capacity + 1)
            mask[capacity] = 0
            try await runner.write([Float](repeating: 0.5, count: layer.hidden), to: "input", group: 0)
            try await runner.write(mask, to: "mask", group: 0)
            try await device.write([UInt32(0)], to: runner.buffers[0]["indices"]!.address)
            try await device.execute(runner.model, context: runner.context, group: 0, io: runner.ios[0])
            let output = try await runner.read("output", group: 0)
            #expect(output.contains { $0.isNaN })
            try await runner.tearDown()
            try await device.close()
            try runtime.finalize()
        }
    }
}
