import Glibc

/// `ca_bundle` in a config section (maws's `[maws]`, maws-roles' `[api]` and `[builder]`): the CA
/// certificates to trust for HTTPS when `AWS_CA_BUNDLE` is not set. An absolute path to a
/// readable PEM file, checked when the config is read.
package struct CABundleSetting: Sendable, Equatable {
    package var path: String
    /// `ca_bundle in FILE:LINE`, for error messages.
    package var source: String

    /// The setting of `value`, from line `line` of `file`.
    package static func validated(_ value: String, file: String, line: Int) throws(ConfigError) -> CABundleSetting {
        guard value.hasPrefix("/") else {
            throw .invalidValue(
                path: file, line: line, key: "ca_bundle", reason: "'\(value)' must be the absolute path of a PEM file of CA certificates")
        }
        guard access(value, R_OK) == 0 else {
            throw .invalidValue(
                path: file, line: line, key: "ca_bundle", reason: "cannot read \(value): \(String(cString: strerror(errno)))")
        }
        return CABundleSetting(path: value, source: "ca_bundle in \(file):\(line)")
    }

    /// The `ca_bundle` of `section`, if it has one.
    package static func read(_ section: INIDocument.Section, file: String) throws(ConfigError) -> CABundleSetting? {
        try section.entry("ca_bundle").map { entry throws(ConfigError) in try validated(entry.value, file: file, line: entry.line) }
    }

    /// The network settings of `environment`, with `setting` (if any) after `AWS_CA_BUNDLE`.
    package static func network(_ setting: CABundleSetting?, environment: Environment) -> NetworkSettings {
        NetworkSettings(environment: environment, configuredCABundle: setting.map { ($0.path, $0.source) })
    }
}
