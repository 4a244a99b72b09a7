import Glibc
import Synchronization
import Testing
@testable import CPUEngine

private final class Counters: @unchecked Sendable {
    let hits: UnsafeMutablePointer<Int>
    init(_ count: Int) {
        hits = .allocate(capacity: count)
        hits.initialize(repeating: 0, count: count)
    }
    deinit { hits.deallocate() }
}

@Suite struct WorkerPoolTests {
    @Test(arguments: [1, 2, 3])
    func everyChunkRunsExactlyOnce(threads: Int) {
        let pool = WorkerPool(threads: threads, spinMicroseconds: 50)
        defer { pool.shutdown() }
        let chunks = 37
        let counters = Counters(chunks)
        let workersSeen = Counters(threads)
        for round in 0..<500 {
            // alternate region sizes so stale claims from a longer region would show up
            let count = round % 2 == 0 ? chunks : 5
            pool.run(chunks: count) { chunk, worker in
                counters.hits[chunk] += 1
                workersSeen.hits[worker] = 1
            }
        }
        for c in 0..<5 { #expect(counters.hits[c] == 500) }
        for c in 5..<chunks { #expect(counters.hits[c] == 250) }
        #expect((0..<threads).allSatisfy { workersSeen.hits[$0] <= 1 })
    }

    @Test func parkedWorkersWakeForTheNextRegion() throws {
        let pool = WorkerPool(threads: 2, spinMicroseconds: 1)
        defer { pool.shutdown() }
        let ran = Atomic<Int>(0)
        for _ in 0..<5 {
            usleep(2000)  // long past the spin time: the worker is parked
            pool.run(chunks: 8) { _, _ in ran.add(1, ordering: .relaxed) }
        }
        #expect(ran.load(ordering: .relaxed) == 40)
    }

    @Test func aRegionWithOneChunkRunsOnTheCaller() {
        let pool = WorkerPool(threads: 2)
        defer { pool.shutdown() }
        var worker = -1
        pool.run(chunks: 1) { _, w in worker = w }
        #expect(worker == 0)
    }
}
