#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The AWS CLI's profile model, read-only: `~/.aws/config` (`AWS_CONFIG_FILE`), where a profile is
/// `[profile NAME]` (or `[default]`, or any section botocore maps to it), and
/// `~/.aws/credentials` (`AWS_SHARED_CREDENTIALS_FILE`), where it is `[NAME]`; keys in the
/// credentials file win. Both are read as botocore reads them, `[DEFAULT]` keys included.
package struct AWSProfiles: Sendable {
    package struct Profile: Sendable, Equatable {
        package var name: String
        package var accessKeyID: String?
        package var secretAccessKey: String?
        package var sessionToken: String?
        package var roleARN: String?
        package var sourceProfile: String?
        package var mfaSerial: String?
        package var externalID: String?
        package var roleSessionName: String?
        package var durationSeconds: Int?
        package var region: String?

        package var hasStaticKeys: Bool { accessKeyID != nil && secretAccessKey != nil }
    }

    package var files: AWSFiles
    private var config: INIDocument
    private var credentials: INIDocument

    package init(environment: Environment) throws {
        files = AWSFiles(environment: environment)
        config = try Self.load(files.config)
        credentials = try Self.load(files.credentials)
    }

    /// The profile to use: `--profile`, else `$AWS_PROFILE`, else `default`.
    package static func selected(_ explicit: String?, environment: Environment) -> String {
        explicit ?? environment["AWS_PROFILE"] ?? "default"
    }

    package func profile(_ name: String) throws(ProfilesError) -> Profile {
        let configSection = config.awsProfile(name, inConfigFile: true)
        let credentialsSection = credentials.awsProfile(name, inConfigFile: false)
        guard
            configSection != nil || credentialsSection != nil
                || FileManager.default.fileExists(atPath: files.encryptedCredentials(of: name))
        else {
            throw .unknownProfile(name: name, files: [files.config, files.credentials])
        }
        func value(_ key: String) -> String? {
            credentialsSection?.entry(key)?.value ?? configSection?.entry(key)?.value
        }
        var duration: Int?
        if let text = value("duration_seconds") {
            guard let seconds = Int(text), (900...43200).contains(seconds) else {
                throw .invalidValue(
                    profile: name, key: "duration_seconds", reason: "'\(text)' is not a number of seconds from 900 to 43200")
            }
            duration = seconds
        }
        return Profile(
            name: name, accessKeyID: value("aws_access_key_id"), secretAccessKey: value("aws_secret_access_key"),
            sessionToken: value("aws_session_token"), roleARN: value("role_arn"), sourceProfile: value("source_profile"),
            mfaSerial: value("mfa_serial"), externalID: value("external_id"), roleSessionName: value("role_session_name"),
            durationSeconds: duration, region: value("region"))
    }

    /// Where `name`'s long-lived keys stand in plaintext: each file and section that holds
    /// `aws_access_key_id` or `aws_secret_access_key` for the profile, and which of the two.
    package func plaintextKeys(of name: String) -> [(path: String, section: String, keys: [String])] {
        let keyNames = ["aws_access_key_id", "aws_secret_access_key"]
        var places: [(path: String, section: String, keys: [String])] = []
        for (path, document, inConfig) in [(files.credentials, credentials, false), (files.config, config, true)] {
            // The section as written: keys inherited from [DEFAULT] are not the profile's to remove.
            guard let found = document.awsProfile(name, inConfigFile: inConfig), let section = document.section(found.name) else {
                continue
            }
            let present = keyNames.filter { section.entry($0) != nil }
            if !present.isEmpty { places.append((path, section.name, present)) }
        }
        return places
    }

    /// The entries of `name`'s section of the config file, as written (no credentials-file keys).
    package func settings(of name: String) -> [String: String] {
        guard let section = config.awsProfile(name, inConfigFile: true) else { return [:] }
        return Dictionary(section.entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The profiles from the one holding keys to `name`, following `source_profile`.
    package func chain(_ name: String) throws(ProfilesError) -> [Profile] {
        var chain: [Profile] = []
        var current = try profile(name)
        var seen = [name]
        while current.roleARN != nil {
            guard let source = current.sourceProfile else {
                throw .invalidValue(
                    profile: current.name, key: "source_profile",
                    reason: "is missing: a profile with role_arn needs the profile whose keys assume it")
            }
            chain.insert(current, at: 0)
            // A profile may name itself as its source: its keys assume its own role.
            if source == current.name, current.hasStaticKeys {
                var keys = current
                keys.roleARN = nil
                chain.insert(keys, at: 0)
                return chain
            }
            guard !seen.contains(source) else { throw .loop(seen + [source]) }
            seen.append(source)
            current = try profile(source)
        }
        chain.insert(current, at: 0)
        return chain
    }

    static func load(_ path: String) throws(ProfilesError) -> INIDocument {
        guard let bytes = try? readFile(path) else { return INIDocument() }
        do {
            return try BotocoreProfiles.document(String(decoding: bytes, as: UTF8.self))
        } catch {
            throw .unparseable(path: path, line: error.line, reason: error.reason)
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let file = SharedFile(path: path, holdsSecrets: false)
        guard let text = try file.text() else { throw FileError.io(path: path, operation: "read", errno: 2) }
        return Array(text.utf8)
    }
}

package enum ProfilesError: MawsError, Equatable {
    case unknownProfile(name: String, files: [String])
    case invalidValue(profile: String, key: String, reason: String)
    case loop([String])
    case unparseable(path: String, line: Int, reason: String)
    case noKeys(profile: String, files: [String])

    package var exitCode: Int32 { ExitStatus.usage }

    package var description: String {
        switch self {
        case .unknownProfile(let name, let files):
            return "there is no profile '\(name)' in \(files.joined(separator: " or ")); check --profile or AWS_PROFILE"
        case .invalidValue(let profile, let key, let reason):
            return "profile '\(profile)': \(key) \(reason)"
        case .loop(let names):
            return "the profiles' source_profile settings go round in a circle: \(names.joined(separator: " -> "))"
        case .unparseable(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .noKeys(let profile, let files):
            return
                "profile '\(profile)' has no access keys in \(files.joined(separator: " or ")); add them, or import them encrypted with maws import"
        }
    }
}
