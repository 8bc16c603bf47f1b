#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The process environment, passed explicitly so that tests and subcommands can supply their own.
package struct Environment: Sendable {
    package var variables: [String: String]

    package init(_ variables: [String: String]) {
        self.variables = variables
    }

    package static var current: Environment {
        Environment(ProcessInfo.processInfo.environment)
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
