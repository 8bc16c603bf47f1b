import Glibc
import MawsCore

/// `ca_bundle` in a maws-roles section: the CA certificates to trust for the IdP and AWS when
/// `AWS_CA_BUNDLE` is not set, as for maws itself. An absolute path to a readable PEM file.
struct CABundleSetting: Sendable, Equatable {
    var path: String
    /// `ca_bundle in FILE:LINE`, for error messages.
    var source: String

    static func read(_ section: INIDocument.Section, file: String) throws(ConfigError) -> CABundleSetting? {
        guard let entry = section.entry("ca_bundle") else { return nil }
        guard entry.value.hasPrefix("/") else {
            throw .invalidValue(
                path: file, line: entry.line, key: "ca_bundle",
                reason: "'\(entry.value)' must be the absolute path of a PEM file of CA certificates")
        }
        guard access(entry.value, R_OK) == 0 else {
            throw .invalidValue(
                path: file, line: entry.line, key: "ca_bundle", reason: "cannot read \(entry.value): \(String(cString: strerror(errno)))")
        }
        return CABundleSetting(path: entry.value, source: "ca_bundle in \(file):\(entry.line)")
    }

    /// The network settings of `environment` with this bundle (if any) after `AWS_CA_BUNDLE`.
    static func network(_ setting: CABundleSetting?, environment: Environment) -> NetworkSettings {
        NetworkSettings(environment: environment, configuredCABundle: setting.map { ($0.path, $0.source) })
    }
}
