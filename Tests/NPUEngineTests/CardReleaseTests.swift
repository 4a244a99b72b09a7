import AXCL
import AXCLSimulatorSupport
import EngineInterface
import Foundation
import NPUEngine
import Runtime
import Testing

extension SimulatorBackedTests {
    /// What the server does with the cards at shutdown, once its models are unloaded.
    @Suite(.enabled(if: Simulator.isAvailable))
    struct CardRelease {
        @Test func releaseLeavesNothingOfTheProcessOnTheCard() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let (_, control) = try Simulator.fresh()
            let cards = NPUCards(environment: [AXCLLibrary.pathVariable: try #require(Simulator.libraryPath), "AXLLAMA_TELEMETRY_INTERVAL": "3600"])
            let session = try await NPUEngineFactory(cards: cards).makeSession(for: .npuPackage(directory: package.directory),
                                                                               options: EngineLoadOptions())
            try await #require(session.engine as? NPUEngine).unload()
            #expect(control.stats.contexts > 0 && control.stats.activeDevices == 1)

            #expect(await cards.release(timeout: .seconds(30)) == [])
            let stats = control.stats
            #expect(stats.contexts == 0 && stats.activeDevices == 0 && stats.models == 0)
            #expect(stats.deviceAllocations == 0 && stats.ioInfos == 0 && stats.ios == 0 && stats.hostAllocations == 0)
            // Freed by the model's unload, not swept up by the device reset.
            #expect(stats.leakedAtReset == 0)
            // Released cards are not opened again by a late request.
            await #expect(throws: NPUEngineError.self) { try await cards.pool() }
        }

        /// A card stuck in a call that never returns must not keep the process from exiting.
        @Test func releaseOfACardStuckInACallGivesUpAfterTheTimeout() async throws {
            let directory = try TemporaryDirectory()
            let package = try TinyModel.package(.configJSON, in: directory)
            let (_, control) = try Simulator.fresh()
            // No recovery ladder: the hung call's eventual failure must not reopen the card.
            let cards = NPUCards(environment: [AXCLLibrary.pathVariable: try #require(Simulator.libraryPath), "AXLLAMA_TELEMETRY_INTERVAL": "3600",
                                               "AXLLAMA_RECOVERY_ATTEMPTS": "0"])
            let session = try await NPUEngineFactory(cards: cards).makeSession(for: .npuPackage(directory: package.directory),
                                                                               options: EngineLoadOptions())
            let engine = try #require(session.engine as? NPUEngine)
            control.setHang(at: 1)
            let hung = Task { _ = try await engine.forward([4, 5, 6], at: 0) }
            for _ in 0 ..< 200 where control.stats.executes == 0 { try await Task.sleep(for: .milliseconds(10)) }

            // Should the timeout not hold, the call returns after 20 s and the test fails rather than hangs;
            // the bound below leaves room for a machine whose cores are busy with other tests.
            let safetyNet = Task {
                try? await Task.sleep(for: .seconds(20))
                control.releaseHangs()
            }
            let started = ContinuousClock.now
            let problems = await cards.release(timeout: .seconds(1))
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(problems.count == 1 && problems[0].contains("not released within 1 s"), "\(problems)")

            safetyNet.cancel()
            control.releaseHangs()
            _ = try? await hung.value
            // The release carries on once the call has returned.
            for _ in 0 ..< 500 where control.stats.activeDevices > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(control.stats.activeDevices == 0)
        }

        @Test func releaseWithoutOpenedCardsHasNothingToDo() async throws {
            let cards = NPUCards(environment: [AXCLLibrary.pathVariable: "/nonexistent/libaxcl_rt.so"])
            #expect(await cards.release(timeout: .seconds(1)) == [])
        }
    }
}
