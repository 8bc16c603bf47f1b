import Glibc

/// An exclusive advisory lock (`flock`) on a directory, held while a closure runs.
///
/// maws replaces files by renaming a new one over them, so a lock on the file itself would be
/// lost with its inode; the directory stays. Every maws process that edits a file in that
/// directory takes this lock first, so concurrent writers run one after another.
///
/// The lock is re-entrant for the thread that holds it: a decision that spans two files (a
/// credentials file and maws's record of what it wrote there) takes both locks, and the two
/// files may share a directory. A second `flock` on a new descriptor would wait for the first
/// forever; another thread of the same process still waits, as another process does.
package enum FileLock {
    /// `waiting` is called once, before blocking, when another process holds the lock.
    package static func withExclusiveLock<T>(
        onDirectory directory: String, waiting: () -> Void = {},
        _ body: () throws -> T
    ) throws -> T {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError.io(path: directory, operation: "open the directory", errno: errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileError.io(path: directory, operation: "inspect", errno: errno) }
        let key = HeldKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        let me = pthread_self()

        let reentered = held.withLock { table in table[key].map { pthread_equal($0, me) != 0 } ?? false }
        if reentered { return try body() }

        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            waiting()
            guard Errno.retrying({ flock(descriptor, LOCK_EX) }) == 0 else {
                throw FileError.io(path: directory, operation: "lock", errno: errno)
            }
        }
        held.withLock { $0[key] = me }
        defer {
            held.withLock { $0[key] = nil }
            flock(descriptor, LOCK_UN)
        }
        return try body()
    }

    private struct HeldKey: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// The directories this process holds locked, and by which thread.
    private static let held = Locked<[HeldKey: pthread_t]>([:])
}
