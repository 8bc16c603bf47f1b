import Glibc

/// OS threads, for the blocking work maws does beside its main thread (a credentials endpoint
/// while `maws exec` waits, the builder's accounts, the roles API's workers).
package enum Threads {
    /// Starts `body` on a new detached thread. Nil when the thread started, else why it could not
    /// (`pthread_create`'s error: the process or user is out of threads, or of memory for a stack).
    @discardableResult
    package static func startDetached(_ body: @escaping @Sendable () -> Void) -> String? {
        switch spawnThread(body) {
        case .success(let thread):
            pthread_detach(thread)
            return nil
        case .failure(let failure):
            return failure.reason
        }
    }

    /// Runs `body` on `count` new threads and returns when all of them have finished.
    package static func runAll(count: Int, _ body: @escaping @Sendable () -> Void) {
        var threads: [pthread_t] = []
        for _ in 0..<count {
            if case .success(let thread) = spawnThread(body) {
                threads.append(thread)
            } else {
                body()  // No thread to be had: do the work here.
            }
        }
        for thread in threads { pthread_join(thread, nil) }
    }
}

private struct ThreadStartFailure: Error {
    var reason: String
}

/// A new thread running `body`, or why none could be created.
private func spawnThread(_ body: @escaping @Sendable () -> Void) -> Result<pthread_t, ThreadStartFailure> {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(
        &thread, nil,
        { context in
            Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, box)
    guard status == 0 else {
        Unmanaged<Box>.fromOpaque(box).release()
        return .failure(ThreadStartFailure(reason: errnoText(status)))
    }
    return .success(thread)
}
