/// How the matrix products of one parallel region are cut into chunks of rows for the worker
/// pool's threads to claim, made once per region shape so that the token loop does not allocate.
///
/// Chunks shrink towards the end of the region (guided scheduling): each takes an equal share of
/// what is left for every thread, so the first ones are long runs of rows and the last ones small,
/// and the threads run out of work at nearly the same time. Long runs matter more than many
/// claims: a decode step streams every weight from memory, and the kernels prefetch a few KiB
/// ahead of the row they multiply, so every chunk starts with a stretch that waits on memory.
/// Measured with `axllama bench --threads 2` on SmolLM2-135M Q4_1, alternating settings: first
/// chunks of half the region decoded 226-242 tok/s, a sixth 198-222 tok/s (docs/architecture.md).
/// Each chunk is a run of rows of one group of products that share their rows (gate and up, so
/// SwiGLU can follow at once).
struct RowChunkPlan {
    /// Products computed together on the same rows.
    struct Group {
        /// Which of the region's products (bit i for product i) the group computes.
        let products: UInt8
        let rows: Int
        /// Every chunk but a group's last covers a multiple of this many rows (a head, so that RoPE
        /// can rotate it; a block of the next product's input quantization).
        let granule: Int
        /// Weight bytes one row of the group reads, across its products: the measure of work.
        let bytesPerRow: Int
    }

    struct Chunk {
        let group: Int
        let rows: Range<Int>
    }

    let groups: [Group]
    let chunks: [Chunk]

    /// The least weight bytes a chunk reads: below this a chunk's start, waiting on memory, costs
    /// more than the balance it buys (16-64 KiB measured alike).
    static let smallestChunkBytes = 32 * 1024

    /// Chunks for `workers` threads, each 1 / workers of what is left.
    init(_ groups: [Group], workers: Int) {
        self.groups = groups
        var remaining = groups.reduce(0) { $0 + $1.rows * $1.bytesPerRow }
        var chunks: [Chunk] = []
        for (index, group) in groups.enumerated() {
            var row = 0
            while row < group.rows {
                let share = workers > 1 ? max(remaining / workers, Self.smallestChunkBytes) : remaining
                let wanted = (share + group.bytesPerRow - 1) / max(1, group.bytesPerRow)
                let granules = max(1, (wanted + group.granule - 1) / group.granule)
                let end = min(group.rows, row + granules * group.granule)
                chunks.append(Chunk(group: index, rows: row..<end))
                remaining -= (end - row) * group.bytesPerRow
                row = end
            }
        }
        self.chunks = chunks
    }

    /// One group of one product.
    init(rows: Int, granule: Int, bytesPerRow: Int, workers: Int) {
        self.init([Group(products: 1, rows: rows, granule: granule, bytesPerRow: bytesPerRow)], workers: workers)
    }
}
