#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts `body` on a new thread that runs for the rest of the process.
public enum BackgroundThread {
    public static func start(_ body: @escaping @Sendable () -> Void) {
        if let thread = spawnThread(body) { pthread_detach(thread) }
    }
}

/// Runs `body` on `count` new threads and returns when all of them have finished.
public enum WorkerThreads {
    public static func run(count: Int, _ body: @escaping @Sendable () -> Void) {
        var threads: [pthread_t] = []
        for _ in 0..<count {
            if let thread = spawnThread(body) {
                threads.append(thread)
            } else {
                body()  // No thread to be had: do the work here.
            }
        }
        for thread in threads { pthread_join(thread, nil) }
    }
}

/// A new thread running `body`, or nil when none could be created.
private func spawnThread(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    guard pthread_create(&thread, nil, { context in
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
        return nil
    }, box) == 0 else {
        Unmanaged<Box>.fromOpaque(box).release()
        return nil
    }
    return thread
}
