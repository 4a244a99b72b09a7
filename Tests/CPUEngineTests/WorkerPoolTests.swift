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
    func everyWorkerRunsEachRegionOnce(threads: Int) {
        let pool = WorkerPool(threads: threads, spinMicroseconds: 50)
        defer { pool.shutdown() }
        let counters = Counters(threads)
        for _ in 0..<2000 {
            pool.run { worker in counters.hits[worker] += 1 }
        }
        for w in 0..<threads { #expect(counters.hits[w] == 2000) }
    }

    @Test func parkedWorkersWakeForTheNextRegion() throws {
        let pool = WorkerPool(threads: 2, spinMicroseconds: 1)
        defer { pool.shutdown() }
        let ran = Atomic<Int>(0)
        for _ in 0..<5 {
            usleep(2000)  // long past the spin time: the worker is parked
            pool.run { _ in ran.add(1, ordering: .relaxed) }
        }
        #expect(ran.load(ordering: .relaxed) == 10)
    }

    @Test func sharesCoverTheRangeWithoutOverlap() {
        let pool = WorkerPool(threads: 3)
        defer { pool.shutdown() }
        for count in [0, 1, 5, 13, 576, 49152] {
            var covered: [Int] = []
            for w in 0..<3 {
                let range = pool.share(of: count, worker: w, multipleOf: 4)
                #expect(range.lowerBound % 4 == 0)
                covered += Array(range)
            }
            #expect(covered == Array(0..<count))
        }
    }
}
