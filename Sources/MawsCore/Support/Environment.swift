import Glibc

/// The process environment, passed explicitly so that tests and subcommands can supply their own.
package struct Environment: Sendable {
    package var variables: [String: String]

    package init(_ variables: [String: String]) {
        self.variables = variables
    }

    /// The process's own environment, read from `environ`: `ProcessInfo.environment` costs a
    /// warm run (cached credentials) a tenth of its instructions.
    package static var current: Environment {
        Environment(variables(of: environ))
    }

    /// The `NAME=value` entries of a C environment block. When a name appears twice, the first one
    /// counts, as for `getenv` and Python's `os.environ`; an entry without `=` is skipped.
    static func variables(of block: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> [String: String] {
        var count = 0
        while block[count] != nil { count += 1 }
        // Sized once: growing a dictionary rehashes every key each time.
        var variables = [String: String](minimumCapacity: count)
        for index in 0..<count {
            let entry = block[index]!
            let bytes = UnsafeRawBufferPointer(start: entry, count: strlen(entry))
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: bytes[..<equals], as: UTF8.self)
            if variables[name] == nil {
                variables[name] = String(decoding: bytes[(equals + 1)...], as: UTF8.self)
            }
        }
        return variables
    }

    /// The value of `name`, treating an empty variable as unset (as the XDG and AWS conventions do).
    package subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    package var home: String {
        self["HOME"] ?? "/"
    }

    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    package var configHome: String {
        self["XDG_CONFIG_HOME"] ?? home + "/.config"
    }

    /// `$XDG_CACHE_HOME`, else `~/.cache`.
    package var cacheHome: String {
        self["XDG_CACHE_HOME"] ?? home + "/.cache"
    }

    /// `$XDG_STATE_HOME`, else `~/.local/state`.
    package var stateHome: String {
        self["XDG_STATE_HOME"] ?? home + "/.local/state"
    }

    /// `path` with a leading `~/` replaced by the home directory, as the AWS SDKs do for file variables.
    package func expandingTilde(_ path: String) -> String {
        path == "~" ? home : path.hasPrefix("~/") ? home + path.dropFirst() : path
    }

    /// `$XDG_CONFIG_DIRS` in preference order (most important first), else `/etc/xdg`.
    package var configDirectories: [String] {
        (self["XDG_CONFIG_DIRS"] ?? "/etc/xdg").split(separator: ":").map(String.init)
    }
}
