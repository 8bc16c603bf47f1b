import Glibc

/// Finds the program a command name means.
///
/// A name with a slash is a path the person wrote (`./deploy`, `/usr/bin/aws`) and is used as it
/// is. A bare name is looked up in the absolute directories of `PATH` only. Unlike `execvp`, an
/// empty or relative entry (`::`, `.`) is skipped: they mean the current directory, and a
/// `./deploytool` planted in whatever directory maws runs from must never run with the role's keys
/// when `deploytool` is not installed.
package enum ExecutablePath {
    package static func resolve(_ name: String, path: String?) -> String? {
        guard !name.isEmpty else { return nil }
        if name.contains("/") {
            return access(name, X_OK) == 0 ? name : nil
        }
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: true)
        where directory.hasPrefix("/") {
            let candidate = "\(directory)/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// This program's own absolute path (`/proc/self/exe`), for command lines that run maws again.
    package static func ofThisProgram() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
