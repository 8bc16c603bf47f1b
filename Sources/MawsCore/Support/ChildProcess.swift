#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a command as `maws exec` does: with the given environment, and with maws standing aside.
/// The terminal's SIGINT and SIGQUIT reach the child directly (it shares maws's process group), so
/// maws ignores them while waiting; SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 sent to maws are passed
/// on. maws then exits as the child did: the same status, or the same signal.
public enum ChildProcess {
    nonisolated(unsafe) private static var child: pid_t = 0

    public static func run(_ arguments: [String], environment: [String: String]) throws -> Never {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and nothing blocked, whatever maws changes.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE] { sigaddset(&defaults, signal) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }

        // Hold the forwarded signals from before the spawn until the child's pid is known, so a
        // signal arriving in between is forwarded rather than killing maws or getting lost.
        let forwarded = [SIGTERM, SIGHUP, SIGUSR1, SIGUSR2]
        var held = sigset_t()
        sigemptyset(&held)
        for signal in forwarded { sigaddset(&held, signal) }
        var previousMask = sigset_t()
        sigprocmask(SIG_BLOCK, &held, &previousMask)
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        for signalNumber in forwarded {
            signal(signalNumber) { received in
                if ChildProcess.child > 0 { kill(ChildProcess.child, received) }
            }
        }

        // PATH lookup with the command's own environment, as a shell would do it.
        let executable = ExecutablePath.resolve(arguments[0], path: environment["PATH"]) ?? arguments[0]
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, nil, &attributes, argv, envp)
        guard status == 0 else { throw ExecError.cannotRun(command: arguments[0], reason: String(cString: strerror(status))) }
        child = pid
        sigprocmask(SIG_SETMASK, &previousMask, nil)

        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        let terminatingSignal = waitStatus & 0x7F
        if terminatingSignal == 0 {
            exit((waitStatus >> 8) & 0xFF)
        }
        // Die of the same signal, so the caller (a shell, a supervisor) sees what really happened.
        signal(terminatingSignal, SIG_DFL)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, terminatingSignal)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
        kill(getpid(), terminatingSignal)
        exit(128 + terminatingSignal)
    }
}

public enum ExecError: MawsError, Equatable {
    case cannotRun(command: String, reason: String)

    public var exitCode: Int32 { 127 }

    public var description: String {
        switch self {
        case .cannotRun(let command, let reason):
            return "cannot run \(command): \(reason)"
        }
    }
}

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
