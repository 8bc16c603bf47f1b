import ArgumentParser
import CEnqueueHook
import Dispatch
import Glibc
import MawsCore
import MawsRoles
import NIOCore
import NIOPosix

/// `maws-roles`: the organisation side of maws.
struct MawsRolesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "maws-roles",
        abstract: "The organisation side of maws: the group-role map builder and the ID-token-for-roles API.",
        version: MawsVersion.current,
        subcommands: [BuildCommand.self, ServeCommand.self]
    )
}

@main
enum MawsRolesMain {
    /// Swift concurrency runs on the server's event loops: a request's handler then runs on the
    /// thread that read the request, with no hop to another thread pool and back. That must be set
    /// before any task starts, so `main` is not async itself: it starts the command as the first
    /// task, and the main thread serves the main queue (where swift-argument-parser runs the
    /// command) until the command exits.
    static func main() {
        runTasksOnEventLoops()
        Task {
            await MawsRolesCommand.main()
            exit(0)
        }
        dispatchMain()
    }

    private typealias EnqueueHook = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// What swift-nio's `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`
    /// does, with the hook found by the linker instead of dlsym (the static runtime hides it): every
    /// job for the global executor goes to an event loop of NIO's singleton group, the one the
    /// current thread runs if any.
    private static func runTasksOnEventLoops() {
        guard maws_enqueue_hook() == nil else { return }
        withUnsafeTemporaryAllocation(of: EnqueueHook.self, capacity: 1) { hook in
            hook.baseAddress!.initialize(to: { job, _ in
                MultiThreadedEventLoopGroup.singleton.any().enqueue(ExecutorJob(job))
            })
            hook.baseAddress!.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: 1) { maws_set_enqueue_hook($0.pointee) }
        }
    }
}
