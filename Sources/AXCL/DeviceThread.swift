import Foundation

/// A serial executor that runs every job on one dedicated OS thread. The AXCL runtime binds
/// contexts to threads and every call for a card must come from a thread with that card's
/// context (axera.md §1.5, §7.3); Swift concurrency would otherwise hop between threads.
public final class DeviceThread: SerialExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false
    private var threadID: pthread_t?

    public init(name: String) {
        let started = DispatchSemaphore(value: 0)
        // The thread keeps the executor alive until `stop()`.
        let thread = Thread { [self] in
            self.condition.lock()
            self.threadID = pthread_self()
            self.condition.unlock()
            started.signal()
            self.run()
        }
        thread.name = name
        thread.start()
        started.wait()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        precondition(isCurrent, "AXCL call outside its device thread")
    }

    /// Whether the caller runs on this executor's thread.
    public var isCurrent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return threadID.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    /// Lets the thread finish the queued jobs and exit.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedSerialExecutor())
        }
    }
}
