import Glibc
import MawsCore

/// A bounded pool of OS threads for the roles API's blocking work (libcurl calls to the IdP, reading
/// the map files), which must never run on the server's event loops.
///
/// At most `workers` threads, started when work needs one and kept; at most `queueLimit` jobs wait
/// for a free thread. A job beyond that is refused at once (`.busy`), so a burst costs threads and
/// memory bounded by the configuration, never one thread per request. A thread that cannot be
/// started is not fatal: the job waits for a running worker, or, with none running, is refused
/// (`.noThread`) instead of being left to wait forever.
package final class WorkerPool: @unchecked Sendable {
    package enum Refusal: Error, Equatable, Sendable {
        /// Every worker is busy and the queue is full.
        case busy
        /// No worker thread runs and none could be started.
        case noThread(reason: String)
    }

    /// Starts a detached thread running `body`; nil when it started, else the reason it did not.
    package typealias ThreadStarter = @Sendable (_ body: @escaping @Sendable () -> Void) -> String?

    private struct Job {
        var run: @Sendable () -> Void
        var refuse: @Sendable (Refusal) -> Void
    }

    package let workers: Int
    package let queueLimit: Int
    private let startThread: ThreadStarter
    private let lock = ConditionLock()
    // Guarded by `lock`: jobs not yet taken; threads started or being started; of those, threads
    // not yet running and threads waiting for a job (both about to take one from the queue).
    private var queue: [Job] = []
    private var threads = 0
    private var starting = 0
    private var idle = 0

    package init(workers: Int, queueLimit: Int, startThread: @escaping ThreadStarter = WorkerPool.startDetachedThread) {
        precondition(workers > 0 && queueLimit >= 0)
        self.workers = workers
        self.queueLimit = queueLimit
        self.startThread = startThread
    }

    /// Runs `body` on a worker and returns its result, or why it was refused (at once, without waiting).
    package func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> Result<T, Refusal> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, Refusal>, Never>) in
            run(body) { continuation.resume(returning: $0) }
        }
    }

    /// Runs `body` on a worker and hands its result, or why it was refused, to `completion` (on the
    /// worker's thread, or the caller's for a refusal).
    package func run<T: Sendable>(_ body: @escaping @Sendable () -> T, completion: @escaping @Sendable (Result<T, Refusal>) -> Void) {
        submit(Job(run: { completion(.success(body())) }, refuse: { completion(.failure($0)) }))
    }

    /// Threads started and jobs waiting, for tests and diagnostics.
    package var load: (threads: Int, queued: Int) {
        lock.withLock { (threads, max(0, queue.count - idle - starting)) }
    }

    private func submit(_ job: Job) {
        lock.lock()
        let free = idle + starting  // workers that will take a queued job without a new thread
        // A new thread only when no free worker is left for this job and the pool may grow.
        let spawn = free <= queue.count && threads < workers
        guard spawn || queue.count < free + queueLimit else {
            lock.unlock()
            job.refuse(.busy)
            return
        }
        queue.append(job)
        if spawn {
            threads += 1
            starting += 1
        } else {
            lock.signal()
        }
        lock.unlock()
        guard spawn, let failure = startThread({ [self] in work() }) else { return }

        // The job stays queued for the workers that run; with none, nothing would ever take it.
        let orphans: [Job] = lock.withLock {
            threads -= 1
            starting -= 1
            guard threads == 0 else { return [] }
            defer { queue.removeAll() }
            return queue
        }
        for orphan in orphans { orphan.refuse(.noThread(reason: failure)) }
    }

    private func work() {
        lock.lock()
        starting -= 1
        while true {
            while queue.isEmpty {
                idle += 1
                lock.wait()
                idle -= 1
            }
            let job = queue.removeFirst()
            lock.unlock()
            job.run()
            lock.lock()
        }
    }

    /// A detached POSIX thread; the error text of `pthread_create` when it fails (EAGAIN when the
    /// process or user is out of threads or memory for a stack).
    package static let startDetachedThread: ThreadStarter = { body in Threads.startDetached(body) }
}
