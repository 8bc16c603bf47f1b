import Foundation
import Glibc
import MawsCore

/// A home directory of its own for one test: `HOME` and the XDG directories point inside it, so
/// config, cache and AWS files never touch the person's. Removed when the value goes away.
package final class TemporaryHome: @unchecked Sendable {
    package let path: String

    package init() throws {
        var template = Array((NSTemporaryDirectory() + "/maws-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The environment a maws process would have with this home, plus `extra`.
    package func environment(_ extra: [String: String] = [:]) -> Environment {
        Environment(
            [
                "HOME": path, "XDG_CONFIG_HOME": path + "/config", "XDG_CONFIG_DIRS": path + "/config-dirs",
                "XDG_CACHE_HOME": path + "/cache", "XDG_STATE_HOME": path + "/state",
                "AWS_CONFIG_FILE": path + "/.aws/config", "AWS_SHARED_CREDENTIALS_FILE": path + "/.aws/credentials",
            ].merging(extra) { _, new in new })
    }

    /// Writes `text` to `relativePath` (0600, parent directories 0700) and returns its full path.
    @discardableResult
    package func write(_ relativePath: String, _ text: String) throws -> String {
        let full = path + "/" + relativePath
        let parent = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: parent, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        try AtomicFile.write(Array(text.utf8), to: full)
        return full
    }

    package func read(_ relativePath: String) throws -> String {
        try String(contentsOfFile: path + "/" + relativePath, encoding: .utf8)
    }
}
