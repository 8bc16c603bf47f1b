import Glibc

/// Private files written whole or not at all: a temporary file in the same directory, fsync,
/// rename over the target, fsync of the directory. A crash leaves the old file or the new one,
/// never half of one.
package enum AtomicFile {
    /// Writes `bytes` to `path` with `mode`, creating its directory (0700) if needed.
    package static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(FileError) {
        let directory = parentDirectory(of: path)
        try ensureDirectory(directory)
        var template = Array("\(directory)/.\(baseName(of: path)).XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw .io(path: path, operation: "create a temporary file beside", errno: errno) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        guard fchmod(descriptor, mode) == 0 else {
            close(descriptor)
            throw .io(path: temporary, operation: "set the mode of", errno: errno)
        }
        guard FileDescriptor.writeAll(descriptor, bytes) else {
            let code = errno
            close(descriptor)
            throw .io(path: path, operation: "write", errno: code)
        }
        guard fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            throw .io(path: path, operation: "flush", errno: code)
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else { throw .io(path: path, operation: "replace", errno: errno) }
        committed = true
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Creates `path` and missing parents with mode 0700.
    package static func ensureDirectory(_ path: String) throws(FileError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .notADirectory(path: path) }
            return
        }
        let parent = parentDirectory(of: path)
        if parent != path { try ensureDirectory(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw .io(path: path, operation: "create the directory", errno: errno)
        }
    }

    /// Reads a file that only this user may have written: it must be a regular file owned by us.
    /// Returns nil when it is missing or not trustworthy, so callers treat it as absent.
    package static func readPrivate(_ path: String, maximumBytes: Int = 1 << 20) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_uid == getuid(),
            info.st_mode & 0o022 == 0, Int(info.st_size) <= maximumBytes
        else { return nil }
        return FileDescriptor.read(descriptor, count: Int(info.st_size))
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func baseName(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }
}

package enum FileError: MawsError, Equatable {
    case io(path: String, operation: String, errno: Int32)
    case notADirectory(path: String)
    case notARegularFile(path: String)
    case readOnly(path: String)
    case notText(path: String)
    case unparseable(path: String, line: Int, reason: String)
    /// A file AWS tools read, but in a way maws will not edit around.
    case refused(path: String, line: Int, reason: String, remedy: String)
    /// What maws was to write would not read back as written.
    case unwritable(path: String, reason: String)

    package var description: String {
        switch self {
        case .io(let path, let operation, let code):
            return "cannot \(operation) \(path): \(String(cString: strerror(code)))"
        case .notADirectory(let path):
            return "\(path) exists but is not a directory; move it away"
        case .notARegularFile(let path):
            return "\(path) is not a regular file; maws will not replace it"
        case .readOnly(let path):
            return "\(path) is read-only; maws leaves it unchanged (make it writable, or choose another output)"
        case .notText(let path):
            return "\(path) is not UTF-8 text; maws leaves it unchanged"
        case .unparseable(let path, let line, let reason):
            return "\(path):\(line): \(reason); maws will not rewrite a file it cannot parse, fix that line first"
        case .refused(let path, let line, let reason, let remedy):
            return "\(path):\(line): \(reason); \(remedy)"
        case .unwritable(let path, let reason):
            return "\(path): \(reason); maws left the file unchanged"
        }
    }
}
