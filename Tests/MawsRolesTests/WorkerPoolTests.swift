import Dispatch
import Glibc
import MawsCore
import Testing

@testable import MawsRoles

@Suite struct WorkerPoolTests {
    /// Waits until `condition` holds, for at most 5 s, without holding a thread of the test's executor.
    func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 where !condition() { try? await Task.sleep(for: .milliseconds(10)) }
        return condition()
    }

    @Test func runsJobsOnAtMostItsWorkers() async {
        let pool = WorkerPool(workers: 3, queueLimit: 100)
        let running = Locked((now: 0, most: 0))
        let results = await withTaskGroup(of: Result<Int, WorkerPool.Refusal>.self) { group in
            for index in 0..<30 {
                group.addTask {
                    await pool.run {
                        running.withLock {
                            $0.now += 1
                            $0.most = max($0.most, $0.now)
                        }
                        usleep(5_000)
                        running.withLock { $0.now -= 1 }
                        return index * 2
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.compactMap { try? $0.get() }.sorted() == Array(0..<30).map { $0 * 2 })
        #expect(running.withLock { $0.most } <= 3)
        #expect(pool.load.threads == 3)
    }

    @Test func jobsBeyondTheQueueLimitAreRefusedAtOnce() async {
        let pool = WorkerPool(workers: 2, queueLimit: 3)
        let gate = DispatchSemaphore(value: 0)
        let accepted = Task {
            await withTaskGroup(of: Result<Void, WorkerPool.Refusal>.self) { group in
                for _ in 0..<5 { group.addTask { await pool.run { gate.wait() } } }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(await eventually { pool.load == (threads: 2, queued: 3) })
        let refused = await pool.run { 1 }
        #expect(refused == .failure(.busy))
        for _ in 0..<5 { gate.signal() }
        let outcomes = await accepted.value
        #expect(outcomes.count == 5 && outcomes.allSatisfy { (try? $0.get()) != nil })
        #expect(await pool.run { 7 } == .success(7))
    }

    @Test func withNoThreadToBeHadAJobIsRefusedAndLaterOnesStillRun() async {
        let allowed = Locked(false)
        let pool = WorkerPool(workers: 2, queueLimit: 10) { body in
            guard allowed.withLock({ $0 }) else { return "Resource temporarily unavailable" }
            return WorkerPool.startDetachedThread(body)
        }
        #expect(await pool.run { 1 } == .failure(.noThread(reason: "Resource temporarily unavailable")))
        #expect(pool.load == (threads: 0, queued: 0))
        allowed.withLock { $0 = true }
        #expect(await pool.run { 2 } == .success(2))
    }

    @Test func aJobWhoseThreadCannotStartWaitsForARunningWorker() async {
        let started = Locked(0)
        let pool = WorkerPool(workers: 4, queueLimit: 10) { body in
            guard
                started.withLock({
                    $0 += 1
                    return $0
                }) == 1
            else { return "Resource temporarily unavailable" }
            return WorkerPool.startDetachedThread(body)
        }
        let gate = DispatchSemaphore(value: 0)
        let first = Task {
            await pool.run {
                gate.wait()
                return 1
            }
        }
        #expect(await eventually { pool.load == (threads: 1, queued: 0) })
        let second = Task { await pool.run { 2 } }  // no second thread: it waits for the first worker
        #expect(await eventually { started.withLock { $0 } == 2 && pool.load == (threads: 1, queued: 1) })
        gate.signal()
        #expect(await first.value == .success(1))
        #expect(await second.value == .success(2))
    }
}
