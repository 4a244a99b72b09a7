import CCPUKernels
import Glibc
import Synchronization

/// A fixed set of threads that run one parallel region at a time together with the caller.
///
/// Decode issues a few hundred short regions per token, so waking threads through the kernel for
/// each would cost more than the work (a condition-variable wake costs ~8 µs, a spin hand-off
/// ~0.4 µs here; swift-stack.md §3.3). Workers therefore spin for a short while after each region
/// and then park on a condition variable, so an idle server uses no CPU.
///
/// A region is a number of chunks that threads claim one at a time from a shared counter, so a
/// thread the operating system has descheduled (the machine is shared) holds up at most the one
/// chunk it claimed instead of a fixed share of every region.
///
/// The counters that threads update during a region each sit on cache lines of their own
/// (`SeparateAtomics`), and a worker reports the chunks it ran once, when it finds no more to
/// claim, rather than after each one: every update of a line another core is reading moves the
/// line between cores, and decode's regions are short enough for that to show.
final class WorkerPool: @unchecked Sendable {
    /// Threads taking part in a region, the caller included.
    let workerCount: Int

    /// How long a worker spins waiting for the next region before it parks.
    private let spinNanoseconds: UInt64

    private let counters = SeparateAtomics(count: 3)
    /// The current region's number; only the caller changes it. The line workers spin on.
    private let generation: UnsafeMutablePointer<Atomic<Int>>
    /// region << 32 | chunk count, published before the region's claims open; written once per
    /// region like `generation`, so it shares its line.
    private let regionSize: UnsafeMutablePointer<Atomic<Int>>
    /// region << 32 | next unclaimed chunk.
    private let claims: UnsafeMutablePointer<Atomic<Int>>
    /// Chunks of the current region that workers other than the caller have finished and reported.
    private let finished: UnsafeMutablePointer<Atomic<Int>>
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wakeUp: UnsafeMutablePointer<pthread_cond_t>
    private var workerThreads: [pthread_t] = []
    /// The region's body; written before the region's claims open, read only by a thread that
    /// holds a valid claim.
    private var job: ((_ chunk: Int, _ worker: Int) -> Void)?

    init(threads: Int, spinMicroseconds: Int = 1000) {
        workerCount = max(1, threads)
        spinNanoseconds = UInt64(spinMicroseconds) * 1000
        (generation, regionSize, claims, finished) = (counters[0], counters[0] + 1, counters[1], counters[2])
        mutex = .allocate(capacity: 1)
        wakeUp = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wakeUp, nil)
        for index in 1..<workerCount {
            let context = Unmanaged.passRetained(WorkerContext(pool: self, index: index)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.pool.workerLoop(index: context.index)
                return nil
            }, context)
            precondition(status == 0, "could not start a CPU engine worker thread (error \(status))")
            workerThreads.append(thread)
        }
    }

    /// Ends the worker threads; the owner calls this when it is done with the pool (the threads
    /// hold the pool, so it cannot end them from its own deinit).
    func shutdown() {
        guard !stopping.load(ordering: .acquiring) else { return }
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.pointee.add(1, ordering: .sequentiallyConsistent)
        pthread_mutex_lock(mutex)
        pthread_cond_broadcast(wakeUp)
        pthread_mutex_unlock(mutex)
        for thread in workerThreads { pthread_join(thread, nil) }
        workerThreads = []
    }

    deinit {
        pthread_cond_destroy(wakeUp)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        wakeUp.deallocate()
    }

    /// Runs `body(chunk, worker)` once for every chunk in 0..<chunks, on whichever threads are
    /// free (the caller is worker 0), and returns when all chunks have finished. `worker` tells
    /// the body which per-thread scratch it may use. Regions must not be nested.
    func run(chunks: Int, _ body: (_ chunk: Int, _ worker: Int) -> Void) {
        guard chunks > 1, workerCount > 1 else {
            for chunk in 0..<chunks { body(chunk, 0) }
            return
        }
        precondition(chunks < 1 << 31)
        withoutActuallyEscaping(body) { body in
            let region = generation.pointee.load(ordering: .relaxed) + 1
            job = body
            regionSize.pointee.store(region << 32 | chunks, ordering: .releasing)
            finished.pointee.store(0, ordering: .relaxed)
            claims.pointee.store(region << 32, ordering: .releasing)
            generation.pointee.store(region, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(wakeUp)
                pthread_mutex_unlock(mutex)
            }
            let others = chunks - workOnClaims(worker: 0)
            while finished.pointee.load(ordering: .acquiring) < others { axl_cpu_relax() }
            job = nil
        }
    }

    /// Runs chunks until none is left to claim and returns how many it ran; a worker other than
    /// the caller reports them in `finished` first. All chunks it ran belong to one region: the
    /// next region opens only after the caller has counted them.
    @discardableResult
    private func workOnClaims(worker: Int) -> Int {
        var ran = 0
        while true {
            let claim = claims.pointee.add(1, ordering: .acquiring).oldValue
            let size = regionSize.pointee.load(ordering: .acquiring)
            // a claim on a finished region's counter, or past the end, means there is nothing left
            guard size >> 32 == claim >> 32, claim & 0xFFFF_FFFF < size & 0xFFFF_FFFF else { break }
            runJob(chunk: claim & 0xFFFF_FFFF, worker: worker)
            ran += 1
        }
        if worker != 0, ran > 0 { finished.pointee.add(ran, ordering: .releasing) }
        return ran
    }

    // Kept out of line so the thread's reference to the closure is released before it reports
    // the chunk finished (withoutActuallyEscaping checks that nothing kept the closure).
    @inline(never)
    private func runJob(chunk: Int, worker: Int) {
        job!(chunk, worker)
    }

    private func workerLoop(index: Int) {
        // Regions count from the pool's creation, not from when this thread got to run: a region
        // (or shutdown) published before the thread started must not be missed.
        var seen = 0
        while true {
            seen = waitForRegion(after: seen)
            if stopping.load(ordering: .acquiring) { return }
            workOnClaims(worker: index)
        }
    }

    private func waitForRegion(after seen: Int) -> Int {
        let deadline = monotonicNanoseconds() + spinNanoseconds
        var spins = 0
        while true {
            let current = generation.pointee.load(ordering: .acquiring)
            if current != seen { return current }
            spins += 1
            if spins & 255 == 0, monotonicNanoseconds() > deadline { break }
            axl_cpu_relax()
        }
        pthread_mutex_lock(mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        var current = generation.pointee.load(ordering: .sequentiallyConsistent)
        while current == seen {
            pthread_cond_wait(wakeUp, mutex)
            current = generation.pointee.load(ordering: .sequentiallyConsistent)
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
        return current
    }
}

/// Groups of atomic integers, each group alone on its own 128 bytes (x86 cores fetch cache lines
/// in pairs), so that a thread updating one group does not take away the line another thread is
/// reading. `self[i]` is the first integer of group i; the group's others follow it.
private final class SeparateAtomics {
    private static let spacing = 128 / MemoryLayout<Atomic<Int>>.stride
    private let base: UnsafeMutablePointer<Atomic<Int>>
    private let total: Int

    init(count: Int) {
        total = count * Self.spacing
        base = UnsafeMutableRawPointer.allocate(byteCount: count * 128, alignment: 128)
            .bindMemory(to: Atomic<Int>.self, capacity: total)
        for i in 0..<total { (base + i).initialize(to: Atomic<Int>(0)) }
    }

    deinit {
        for i in 0..<total { _ = (base + i).move() }
        UnsafeMutableRawPointer(base).deallocate()
    }

    subscript(group: Int) -> UnsafeMutablePointer<Atomic<Int>> { base + group * Self.spacing }
}

/// What a worker thread needs to start.
private final class WorkerContext {
    let pool: WorkerPool
    let index: Int
    init(pool: WorkerPool, index: Int) {
        self.pool = pool
        self.index = index
    }
}

private func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Cores this process may run on: the default size of the pool.
func availableCoreCount() -> Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}
