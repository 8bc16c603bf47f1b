import ArgumentParser
import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `maws status`: what maws holds, from its own files, without a network request.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the sign-ins, credentials and profiles maws holds, without a network request.",
        discussion: "Exits 0 when something valid is held (a token to sign in with, or credentials that have not expired), 1 otherwise."
    )

    @Flag(help: "Print one JSON document, for scripts.")
    var json = false

    /// A profile maws wrote, as `status` shows it.
    struct Profile: Codable, Equatable {
        var profile: String
        var file: String
        var role: String?
    }

    /// The JSON document: `Holdings` (times in ISO 8601) and the profiles.
    struct Report: Encodable {
        var signIns: [Holdings.SignIn]
        var roleCredentials: [Holdings.Credentials]
        var mfaSessions: [Holdings.Credentials]
        var assumedRoles: [Holdings.Credentials]
        var vaultTokens: [Holdings.Credentials]
        var vaultCredentials: [Holdings.Credentials]
        var profiles: [Profile]
        var valid: Bool

        init(_ holdings: Holdings, profiles: [Profile], valid: Bool) {
            signIns = holdings.signIns
            roleCredentials = holdings.roleCredentials
            mfaSessions = holdings.mfaSessions
            assumedRoles = holdings.assumedRoles
            vaultTokens = holdings.vaultTokens
            vaultCredentials = holdings.vaultCredentials
            self.profiles = profiles
            self.valid = valid
        }
    }

    func run() throws {
        let environment = Environment.current
        let holdings = Holdings(cache: CacheDirectory(environment: environment))
        let profiles = WrittenProfiles(environment: environment).records().map {
            Profile(profile: $0.profile, file: $0.file, role: $0.role)
        }
        let now = Date()
        let valid = holdings.holdsSomethingValid(at: now)
        if json {
            let report = Report(holdings, profiles: profiles, valid: valid)
            Diagnostics.writeStandardOutput(String(decoding: try JSONWriter.encode(report, as: .pretty), as: UTF8.self) + "\n")
        } else {
            Diagnostics.writeStandardOutput(Self.table(holdings, profiles: profiles, now: now, home: environment.home))
        }
        if !valid { throw ExitCode(ExitStatus.failure) }
    }

    /// The report as text: a heading per kind, a line per item, times as "in 42m" or "expired".
    static func table(_ holdings: Holdings, profiles: [Profile], now: Date, home: String) -> String {
        func left(_ date: Date) -> String {
            let seconds = Int(date.timeIntervalSince(now))
            let when = ISO8601.format(date)
            guard seconds > 0 else { return "expired \(when)" }
            let text = seconds >= 3600 ? "\(seconds / 3600)h\((seconds % 3600) / 60)m" : "\(max(1, seconds / 60))m"
            return "\(text) left (\(when))"
        }
        func section(_ title: String, _ lines: [String]) -> String {
            title + "\n" + (lines.isEmpty ? ["  none"] : lines.map { "  " + TerminalText.line($0) }).joined(separator: "\n") + "\n"
        }
        let shortHome = { (path: String) in path.hasPrefix(home + "/") ? "~" + path.dropFirst(home.count) : path }
        return [
            section(
                "Signed in:",
                holdings.signIns.map {
                    "\($0.email ?? $0.subject) at \($0.issuer): ID token \(left($0.idTokenExpires))"
                        + ($0.refreshToken ? ", refresh token held" : "")
                }),
            section("Role credentials:", holdings.roleCredentials.map { "\($0.arn): \(left($0.expires))" }),
            section("MFA sessions:", holdings.mfaSessions.map { "\($0.arn) (\($0.from)): \(left($0.expires))" }),
            section("Assumed roles (IAM users):", holdings.assumedRoles.map { "\($0.arn): \(left($0.expires))" }),
            section("Vault tokens:", holdings.vaultTokens.map { "\($0.arn) (\($0.actsAs)): \(left($0.expires))" }),
            section("Vault credentials:", holdings.vaultCredentials.map { "\($0.arn) as \($0.actsAs): \(left($0.expires))" }),
            section("Profiles maws wrote:", profiles.map { "\($0.profile) in \(shortHome($0.file))" + ($0.role.map { " (\($0))" } ?? "") }),
        ].joined(separator: "\n")
    }
}
