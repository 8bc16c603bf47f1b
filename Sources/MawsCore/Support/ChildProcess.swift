import Glibc
import Synchronization

/// Runs a command as `maws exec` does: with the given environment, and with maws standing aside.
/// The terminal's SIGINT and SIGQUIT reach the child directly (it shares maws's process group), so
/// maws ignores them while waiting; SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 sent to maws are passed
/// on. maws then exits as the child did: the same status, or the same signal.
///
/// A signal sent before the child exists must not be lost: `holdSignals()` blocks the forwarded
/// signals in the calling thread before maws starts any other thread (threads inherit the mask,
/// so none of them can take the signal and drop it), and `run` unblocks them in this thread only
/// once the child's pid is known, when they are passed on. A thread started earlier (libcurl's
/// resolver can outlive a timed-out lookup) may still take one: the handler then keeps it in
/// `pending`, and whichever of the handler and `run` sees both the pid and the signal forwards it.
package enum ChildProcess {
    private static let child = Atomic<pid_t>(0)
    private static let pending = Atomic<Int32>(0)

    /// The signals maws passes on to the command.
    static let forwarded = [SIGTERM, SIGHUP, SIGUSR1, SIGUSR2]

    /// Blocks the forwarded signals in the calling thread, and so in every thread it starts from
    /// now on. Call before starting any thread that lives while the command runs.
    package static func holdSignals() {
        var held = sigset_t()
        sigemptyset(&held)
        for signal in forwarded { sigaddset(&held, signal) }
        pthread_sigmask(SIG_BLOCK, &held, nil)
    }

    /// Runs `arguments` (a bare command name is looked up in `PATH` only) and exits as it does.
    package static func run(_ arguments: [String], environment: [String: String]) throws -> Never {
        guard let executable = ExecutablePath.resolve(arguments[0], path: environment["PATH"]) else {
            throw ExecError.notFound(command: arguments[0])
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling and nothing blocked, whatever maws changes.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGQUIT, SIGPIPE] + forwarded { sigaddset(&defaults, signal) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }

        // Held already when the caller started threads; holding again is harmless otherwise.
        holdSignals()
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        // With SIGCHLD ignored (inherited so), the kernel would reap the child itself and waitpid fail.
        signal(SIGCHLD, SIG_DFL)
        for signalNumber in forwarded {
            signal(signalNumber) { received in
                ChildProcess.pending.store(received, ordering: .sequentiallyConsistent)
                ChildProcess.forwardPending()
            }
        }

        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, nil, &attributes, argv, envp)
        guard status == 0 else { throw ExecError.cannotRun(command: arguments[0], reason: String(cString: strerror(status))) }
        child.store(pid, ordering: .sequentiallyConsistent)
        forwardPending()
        // Only this thread takes the signals from now on; any that arrived meanwhile are delivered here.
        var release = sigset_t()
        sigemptyset(&release)
        for signal in forwarded { sigaddset(&release, signal) }
        pthread_sigmask(SIG_UNBLOCK, &release, nil)

        var waitStatus: Int32 = 0
        guard Errno.retrying({ waitpid(pid, &waitStatus, 0) }) >= 0 else {
            throw ExecError.lost(command: arguments[0], reason: errnoText())
        }
        let terminatingSignal = waitStatus & 0x7F
        if terminatingSignal == 0 {
            exit((waitStatus >> 8) & 0xFF)
        }
        // Die of the same signal, so the caller (a shell, a supervisor) sees what really happened.
        signal(terminatingSignal, SIG_DFL)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, terminatingSignal)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        kill(getpid(), terminatingSignal)
        exit(128 + terminatingSignal)
    }
}

extension ChildProcess {
    /// Passes a pending signal to the child once there is one; at most once per signal, whether the
    /// handler or `run` gets here first. Async-signal-safe: atomics and `kill` only.
    private static func forwardPending() {
        let pid = child.load(ordering: .sequentiallyConsistent)
        guard pid > 0 else { return }
        let signal = pending.exchange(0, ordering: .sequentiallyConsistent)
        if signal != 0 { kill(pid, signal) }
    }
}

package enum ExecError: MawsError, Equatable {
    case notFound(command: String)
    case cannotRun(command: String, reason: String)
    /// The command runs, but maws cannot wait for it.
    case lost(command: String, reason: String)

    /// What a shell answers for a command it cannot find or run; a command maws lost track of is a
    /// failure of maws's own.
    package var exitCode: Int32 {
        if case .lost = self { return ExitStatus.failure }
        return 127
    }

    package var description: String {
        switch self {
        case .notFound(let command) where command.contains("/"):
            return "cannot run \(command): there is no executable file there"
        case .notFound(let command):
            return "\(command): command not found on PATH (maws never runs a bare name from the current directory; "
                + "write ./\(command) to mean that)"
        case .cannotRun(let command, let reason):
            return "cannot run \(command): \(reason)"
        case .lost(let command, let reason):
            return "cannot wait for \(command) (\(reason)); its exit status is unknown"
        }
    }
}
