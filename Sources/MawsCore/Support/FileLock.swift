#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock (`flock`) on a directory, held while a closure runs.
///
/// maws replaces files by renaming a new one over them, so a lock on the file itself would be
/// lost with its inode; the directory stays. Every maws process that edits a file in that
/// directory takes this lock first, so concurrent writers run one after another.
public enum FileLock {
    /// `waiting` is called once, before blocking, when another process holds the lock.
    public static func withExclusiveLock<T>(onDirectory directory: String, waiting: () -> Void = {},
                                            _ body: () throws -> T) throws -> T {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError.io(path: directory, operation: "open the directory", errno: errno) }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            defer { flock(descriptor, LOCK_UN) }
            return try body()
        }
        waiting()
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw FileError.io(path: directory, operation: "lock", errno: errno) }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}
