import Testing
@testable import CPUEngine

@Suite struct RowChunkPlanTests {
    private typealias Group = RowChunkPlan.Group

    /// The default model's q, k, v region (576 and 192 rows of Q4_1, heads of 64) and its
    /// classifier (49152 rows of Q8_0), and a tiny model's.
    private static let regions: [[Group]] = [
        [Group(products: 1, rows: 576, granule: 64, bytesPerRow: 360),
         Group(products: 2, rows: 192, granule: 64, bytesPerRow: 360),
         Group(products: 4, rows: 192, granule: 16, bytesPerRow: 360)],
        [Group(products: 1, rows: 49152, granule: 16, bytesPerRow: 612)],
        [Group(products: 3, rows: 96, granule: 32, bytesPerRow: 40)],
        [Group(products: 1, rows: 40, granule: 16, bytesPerRow: 72)],
    ]

    @Test(arguments: [1, 2, 4])
    func chunksCoverEveryRowOnceInWholeGranules(workers: Int) {
        for groups in Self.regions {
            let plan = RowChunkPlan(groups, workers: workers)
            for (index, group) in groups.enumerated() {
                let chunks = plan.chunks.filter { $0.group == index }
                #expect(chunks.first?.rows.lowerBound == 0)
                #expect(chunks.last?.rows.upperBound == group.rows)
                for (chunk, next) in zip(chunks, chunks.dropFirst()) {
                    #expect(chunk.rows.upperBound == next.rows.lowerBound)
                    #expect(chunk.rows.count % group.granule == 0)
                }
            }
            #expect(plan.chunks.map(\.group) == plan.chunks.map(\.group).sorted())
        }
    }

    @Test func oneWorkerGetsOneChunkPerGroup() {
        for groups in Self.regions {
            #expect(RowChunkPlan(groups, workers: 1).chunks.count == groups.count)
        }
    }

    /// Guided scheduling: no chunk takes more than one thread's share of what is left, and the
    /// chunks shrink down to the smallest size, so two threads finish a region close together.
    @Test func chunksShrinkTowardsTheEndOfARegion() {
        for groups in Self.regions.prefix(2) {
            let plan = RowChunkPlan(groups, workers: 2)
            let bytes = plan.chunks.map { $0.rows.count * groups[$0.group].bytesPerRow }
            let total = bytes.reduce(0, +)
            let granuleBytes = groups.map { $0.granule * $0.bytesPerRow }.max()!
            var left = total
            for size in bytes {
                #expect(size <= max(left / 2, RowChunkPlan.smallestChunkBytes) + granuleBytes)
                left -= size
            }
            #expect(bytes.last! <= RowChunkPlan.smallestChunkBytes + granuleBytes)
            #expect(bytes.last! < bytes.first!)
            #expect(plan.chunks.count >= 4)
        }
    }
}
