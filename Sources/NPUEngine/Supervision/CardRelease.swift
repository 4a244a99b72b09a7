import AXCL
import Foundation

extension NPUCardPool {
    /// Releases every card, then finalizes the runtime; see `NPUCards.release(timeout:)`.
    func release(timeout: Duration) async -> [String] {
        let cards = self.cards
        // Unstructured on purpose: a task group would wait for a release stuck on a hung card.
        let (outcomes, continuation) = AsyncStream<[String]?>.makeStream()
        Task {
            var problems: [String] = []
            for card in cards { problems += await card.release() }
            if let library = cards.first?.device.runtime.library {
                do {
                    try library.finalize()
                } catch {
                    problems.append("axclFinalize failed: \(error)")
                }
            }
            continuation.yield(problems)
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            continuation.yield(nil)
        }
        defer { timer.cancel() }
        for await first in outcomes {
            if let first { return first }
            break
        }
        return ["the NPU cards were not released within \(timeout.components.seconds) s: a card call never returned "
            + "(a wedged card); the driver frees what is left when the process exits"]
    }
}

extension CardSupervisor {
    /// Stops polling, finalizes the card's engine and releases the thread's hold on the device.
    /// A card that is down (recovering, offline) may refuse either step; that is reported.
    func release() async -> [String] {
        stop()
        let name = status.name
        return await device.releaseForShutdown().map { "\(name): \($0)" }
    }
}

extension AXCLDevice {
    /// `axclrtEngineFinalize` then `axclrtResetDevice`, each attempted; the failures as text.
    func releaseForShutdown() -> [String] {
        var problems: [String] = []
        do {
            try finalizeEngine()
        } catch {
            problems.append("\(error)")
        }
        do {
            try close()
        } catch {
            problems.append("\(error)")
        }
        return problems
    }
}
