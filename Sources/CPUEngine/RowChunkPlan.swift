/// How the matrix products of one parallel region are cut into chunks of rows for the worker
/// pool's threads to claim, made once per region shape so that the token loop does not allocate.
///
/// Chunks shrink towards the end of the region (guided scheduling): the first ones are large, so
/// a region has few claims, and the last ones small, so the threads run out of work at nearly
/// the same time and the first to finish waits for at most one small chunk. Each chunk is a run of
/// rows of one group of products that share their rows (gate and up, so SwiGLU can follow at once).
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

    /// The least weight bytes a chunk reads: below this a claim costs more than the balance it buys.
    static let smallestChunkBytes = 8 * 1024

    /// Chunks for `workers` threads, the largest a share of 1 / (3 × workers) of what is left.
    init(_ groups: [Group], workers: Int) {
        self.groups = groups
        var remaining = groups.reduce(0) { $0 + $1.rows * $1.bytesPerRow }
        var chunks: [Chunk] = []
        for (index, group) in groups.enumerated() {
            var row = 0
            while row < group.rows {
                let share = workers > 1 ? max(remaining / (3 * workers), Self.smallestChunkBytes) : remaining
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
