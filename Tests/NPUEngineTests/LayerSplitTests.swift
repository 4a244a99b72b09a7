import AXCL
import AXCLSimulatorSupport
import EngineInterface
import Foundation
import NPUEngine
import Testing

@Suite struct LayerSplitPlanning {
    @Test func layersAreSharedInProportionToFreeCMMWithThePostModelOnTheLastCard() throws {
        let plan = try #require(LayerSplit.plan(layerKiB: Array(repeating: 10, count: 10), postKiB: 20, budgetsKiB: [100, 100]))
        #expect(plan.map { $0.card } == [0, 1])
        // 120 KiB in all, 60 per card: six layers, then four and the post model.
        #expect(plan.map { $0.layers } == [0 ..< 6, 6 ..< 10])

        let uneven = try #require(LayerSplit.plan(layerKiB: Array(repeating: 10, count: 10), postKiB: 20, budgetsKiB: [40, 200]))
        #expect(uneven.map { $0.layers } == [0 ..< 2, 2 ..< 10])
    }

    @Test func asFewCardsAsHoldTheModelAreUsedSkippingFullOnes() throws {
        let plan = try #require(LayerSplit.plan(layerKiB: Array(repeating: 10, count: 8), postKiB: 10, budgetsKiB: [0, 60, 60, 60]))
        #expect(plan.map { $0.card } == [1, 2])
        #expect(plan.map { $0.layers } == [0 ..< 4, 4 ..< 8])
    }

    @Test func noPlanWhenTheCardsTogetherAreTooSmallOrOnlyOneHasRoom() {
        #expect(LayerSplit.plan(layerKiB: Array(repeating: 10, count: 10), postKiB: 20, budgetsKiB: [50, 60]) == nil)
        #expect(LayerSplit.plan(layerKiB: Array(repeating: 10, count: 10), postKiB: 20, budgetsKiB: [500, -5]) == nil)
        #expect(LayerSplit.plan(layerKiB: [10], postKiB: 20, budgetsKiB: [50, 60]) == nil)
    }

    /// The post model is large next to a layer: the card that holds it takes fewer layers, and
    /// no card goes over its budget.
    @Test func aLargePostModelMovesLayersToTheFirstCard() throws {
        let plan = try #require(LayerSplit.plan(layerKiB: Array(repeating: 10, count: 6), postKiB: 50, budgetsKiB: [60, 60]))
        #expect(plan.map { $0.layers } == [0 ..< 5, 5 ..< 6])
    }
}

extension SimulatorBackedTests {
    /// A model's layers split across two simulated cards (issue 6 item 7): it computes exactly
    /// what the same model computes on one card, each card holds only its layers, and chunked
    /// prefill, prefix reuse and call accounting stay as on one card.
    @Suite(.enabled(if: Simulator.isAvailable)) struct SplitAcrossCards {
        static let layers = 4

        struct TwoCards {
            let directory: TemporaryDirectory
            let package: NPUModelPackage
            let control: SimulatorControl
            let devices: [AXCLDevice]

            static func open() async throws -> TwoCards {
                let directory = try TemporaryDirectory()
                let package = try TinyModel.package(.configJSON, in: directory, layers: SplitAcrossCards.layers)
                let (library, control) = try Simulator.fresh()
                control.setDeviceCount(2)
                let ids = try AXCLRuntime(library: library).devices()
                var devices: [AXCLDevice] = []
                for id in ids { devices.append(try await NPUCard.open(library: library, deviceID: id)) }
                return TwoCards(directory: directory, package: package, control: control, devices: devices)
            }

            func split(_ options: NPUEngineOptions = NPUEngineOptions()) async throws -> NPUEngine {
                try await NPUEngine.load(package, across: [LayerShare(device: devices[0], layers: 0 ..< 2),
                                                           LayerShare(device: devices[1], layers: 2 ..< 4)], options: options)
            }
        }

        @Test func splitModelComputesExactlyWhatOneCardComputes() async throws {
            let cards = try await TwoCards.open()
            let whole = try await NPUEngine.load(cards.package, on: cards.devices[0])
            let split = try await cards.split()
            #expect(split.placement.map { $0.device.id } == cards.devices.map { $0.id })
            #expect(split.descriptor.layerCount == Self.layers)

            // 300 tokens: three chunks against growing history groups, then greedy decoding.
            let prompt = TinyModel.prompt(300, seed: 31)
            var expected = try await whole.forward(prompt, at: 0).values
            var actual = try await split.forward(prompt, at: 0).values
            #expect(differences(actual, expected) == 0)
            for step in 0 ..< 6 {
                let next = [Int32(argmax(expected))]
                expected = try await whole.forward(next, at: prompt.count + step).values
                actual = try await split.forward(next, at: prompt.count + step).values
                #expect(differences(actual, expected) == 0, "step \(step)")
            }
            for layer in 0 ..< Self.layers {
                let a = try await whole.cacheRows(layer: layer, range: 0 ..< 306), b = try await split.cacheRows(layer: layer, range: 0 ..< 306)
                #expect(differences(a.keys, b.keys) == 0 && differences(a.values, b.values) == 0, "layer \(layer)")
            }

            // Prefix reuse: keep 200 positions, go on from there, as from a cold start.
            await split.truncateCache(to: 200)
            let reused = try await split.forward(Array(prompt[200...]), at: 200).values
            await whole.truncateCache(to: 0)
            let cold = try await whole.forward(prompt, at: 0).values
            #expect(differences(reused, cold) == 0)
            try await whole.unload()
            try await split.unload()
        }

        @Test func eachCardHoldsOnlyItsLayersAndUnloadFreesBoth() async throws {
            let cards = try await TwoCards.open()
            let ids = cards.devices.map { $0.id.rawValue }
            let split = try await cards.split()
            let first = cards.control.deviceStats(ids[0]), second = cards.control.deviceStats(ids[1])
            #expect(first.models == 2, "layers 0 and 1")
            #expect(second.models == 3, "layers 2 and 3 and the post model")
            #expect(first.deviceAllocations > 0 && second.deviceAllocations > 0)
            // /api/ps reports the model's CMM on all its cards.
            #expect(split.descriptor.deviceMemoryBytes == Int64(first.cmmUsedBytes + second.cmmUsedBytes))

            try await split.unload()
            for id in ids {
                let stats = cards.control.deviceStats(id)
                #expect(stats.models == 0 && stats.deviceAllocations == 0 && stats.cmmUsedBytes == 0, "device \(id)")
            }
            #expect(cards.control.stats.hostAllocations == 0)
        }

        @Test(arguments: [1, 127, 129, 300])
        func chunkedPrefillEqualsTokenByTokenAcrossCards(length: Int) async throws {
            let cards = try await TwoCards.open()
            let chunked = try await cards.split(NPUEngineOptions(prefillMode: .chunked))
            let single = try await cards.split(NPUEngineOptions(prefillMode: .tokenByToken))
            let prompt = TinyModel.prompt(length, seed: UInt64(length) + 7)
            let a = try await chunked.forward(prompt, at: 0), b = try await single.forward(prompt, at: 0)
            #expect(differences(a.values, b.values) == 0, "logits differ")
            for layer in [1, 2] {
                let rowsA = try await chunked.cacheRows(layer: layer, range: 0 ..< length)
                let rowsB = try await single.cacheRows(layer: layer, range: 0 ..< length)
                #expect(differences(rowsA.keys, rowsB.keys) == 0 && differences(rowsA.values, rowsB.values) == 0, "layer \(layer)")
            }
            try await chunked.unload()
            try await single.unload()
        }

        /// Layers + 1 executes per decoded token and ⌈N/P⌉ per layer for a prefill, in total over both cards.
        @Test func callAccountingCountsEveryCard() async throws {
            let cards = try await TwoCards.open()
            let split = try await cards.split()
            var before = cards.control.stats.executes
            _ = try await split.forward(TinyModel.prompt(300, seed: 3), at: 0)
            #expect(cards.control.stats.executes - before == UInt64(3 * Self.layers + 1))
            before = cards.control.stats.executes
            for step in 0 ..< 4 { _ = try await split.forward([9], at: 300 + step) }
            #expect(cards.control.stats.executes - before == UInt64(4 * (Self.layers + 1)))
            let counters = await split.counters()
            #expect(counters.prefillChunks == 3 && counters.decodeSteps == 4)
            #expect(counters.executes == 3 * Self.layers + 1 + 4 * (Self.layers + 1))
            try await split.unload()
        }

        /// The persisted prompt prefix holds the rows of every layer, from both cards, and a fresh
        /// load writes them back to both.
        @Test func persistedPrefixCoversTheLayersOfEveryCard() async throws {
            let cards = try await TwoCards.open()
            let cache = try TemporaryDirectory()
            let options = NPUEngineOptions(prefixCacheDirectory: cache.url)
            let first = try await cards.split(options)
            let prompt = TinyModel.prompt(40, seed: 12)
            _ = try await first.forward(prompt, at: 0)
            await first.truncateCache(to: 30)
            #expect(await first.counters().prefixCacheWrites == 1)
            let expected = try await first.forward(Array(prompt[30...]), at: 30).values
            try await first.unload()

            let second = try await cards.split(options)
            #expect(await second.restoredPrefix() == Array(prompt[..<30]))
            let restored = try await second.forward(Array(prompt[30...]), at: 30).values
            #expect(differences(restored, expected) == 0)
            try await second.unload()
        }

        @Test func layerRangesThatDoNotCoverThePackageAreRefused() async throws {
            let cards = try await TwoCards.open()
            await #expect {
                _ = try await NPUEngine.load(cards.package, across: [LayerShare(device: cards.devices[0], layers: 0 ..< 2),
                                                                     LayerShare(device: cards.devices[1], layers: 3 ..< 4)])
            } throws: { "\($0)".contains("do not cover its 4 layers") }
            await #expect {
                _ = try await NPUEngine.load(cards.package, across: [LayerShare(device: cards.devices[0], layers: 0 ..< 4),
                                                                     LayerShare(device: cards.devices[1], layers: 0 ..< 4)])
            } throws: { "\($0)".contains("do not cover its 4 layers") }
            #expect(cards.control.stats.models == 0)
        }
    }
}
