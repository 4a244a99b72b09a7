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

        @Test func releaseWithoutOpenedCardsHasNothingToDo() async throws {
            let cards = NPUCards(environment: [AXCLLibrary.pathVariable: "/nonexistent/libaxcl_rt.so"])
            #expect(await cards.release(timeout: .seconds(1)) == [])
        }
    }
}
