import Glibc

/// An INI file maws edits in place: the AWS shared credentials and config files, and maws's own
/// credentials file. Updates are serialized with a lock on the file's directory, lossless
/// (`INIEditor`), atomic (`AtomicFile`), and go through a symlink to the file it points at.
package struct SharedFile: Sendable {
    package let path: String
    /// Credentials: a new file is 0600 and an existing one loses any group or other access.
    package let holdsSecrets: Bool

    package init(path: String, holdsSecrets: Bool) {
        self.path = path
        self.holdsSecrets = holdsSecrets
    }

    /// The file's current entries in `section`, or nil when the file or the section is absent.
    package func entries(in section: String) throws -> [String: String]? {
        guard let text = try read(resolvedPath()) else { return nil }
        return try editor(for: text).entries(in: section)
    }

    /// The file's text through any symlink, or nil when it does not exist.
    package func text() throws -> String? {
        var info = stat()
        let target = resolvedPath()
        guard stat(target, &info) == 0 else { return nil }
        return try readText(target)
    }

    /// Runs `body` holding the lock every update of this file takes, so that a decision about
    /// the file (and maws's record of it) and the write that follows cannot be interleaved with
    /// another maws process's.
    package func withLock<T>(_ body: () throws -> T) throws -> T {
        let directory = AtomicFile.parentDirectory(of: resolvedPath())
        try AtomicFile.ensureDirectory(directory)
        return try FileLock.withExclusiveLock(onDirectory: directory, body)
    }

    /// Applies `edit` under the lock; writes only when the text changed. Returns whether it did.
    /// The editor's refusals become `FileError`s naming this file and the line.
    @discardableResult
    package func update(_ edit: (inout INIEditor) throws -> Void) throws -> Bool {
        let target = resolvedPath()
        return try withLock {
            let existing = try read(target)
            let text = try edited(existing, by: edit)
            // An absent file that stays empty is not created.
            guard text != existing ?? "" else { return false }
            var mode: mode_t = 0o600
            if existing != nil {
                var info = stat()
                if stat(target, &info) == 0 {
                    mode = info.st_mode & 0o7777
                    if holdsSecrets { mode &= ~mode_t(0o077) }
                }
            }
            try AtomicFile.write(Array(text.utf8), to: target, mode: mode)
            return true
        }
    }

    /// Runs `edit` as `update` would, without writing: whether the file can be edited so, checked
    /// before another file is changed, so that a refusal leaves nothing half done.
    package func check(_ edit: (inout INIEditor) throws -> Void) throws {
        _ = try edited(try read(resolvedPath()), by: edit)
    }

    private func edited(_ existing: String?, by edit: (inout INIEditor) throws -> Void) throws -> String {
        var editor = try self.editor(for: existing ?? "")
        do {
            try edit(&editor)
        } catch let error as INIParseError {
            throw FileError(path, error)
        } catch let error as INIValueError {
            throw FileError.unwritable(path: path, reason: error.reason)
        }
        return editor.render()
    }

    /// The file to read and replace: the end of the symlink chain at `path`, if there is one.
    func resolvedPath() -> String {
        var current = path
        for _ in 0..<40 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { return current }
            let target = buffer.prefix(length).withUnsafeBufferPointer { String(decoding: UnsafeRawBufferPointer($0), as: UTF8.self) }
            current = target.hasPrefix("/") ? target : AtomicFile.parentDirectory(of: current) + "/" + target
        }
        return current
    }

    /// Reads for an update: the file must also be writable, since maws is about to replace it.
    private func read(_ target: String) throws -> String? {
        var info = stat()
        guard stat(target, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw FileError.io(path: path, operation: "inspect", errno: errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileError.notARegularFile(path: path) }
        // A file without write permission is the owner saying "do not change this", even to root.
        guard info.st_mode & 0o200 != 0 else { throw FileError.readOnly(path: path) }
        return try readText(target)
    }

    private func readText(_ target: String) throws -> String? {
        let descriptor = open(target, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError.io(path: path, operation: "read", errno: errno) }
        defer { close(descriptor) }
        let (bytes, error) = FileDescriptor.readToEnd(descriptor)
        if let error { throw FileError.io(path: path, operation: "read", errno: error) }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw FileError.notText(path: path) }
        return text
    }

    private func editor(for text: String) throws(FileError) -> INIEditor {
        do {
            return try INIEditor(text)
        } catch {
            throw FileError(path, error)
        }
    }
}

extension FileError {
    /// The error for `error` at a line of the file at `path`.
    init(_ path: String, _ error: INIParseError) {
        if let remedy = error.remedy {
            self = .refused(path: path, line: error.line, reason: error.reason, remedy: remedy)
        } else {
            self = .unparseable(path: path, line: error.line, reason: error.reason)
        }
    }
}
