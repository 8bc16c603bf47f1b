#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// STS credentials for (issuer, client, subject, role), reused until 5 minutes before they expire.
package struct CredentialsEntry: CacheEntry {
    package var issuer: String
    package var clientID: String
    package var subject: String
    package var role: String
    package var credentials: AWSCredentials
    package var assumedRoleARN: String
    package var durationSeconds: Int
    package var promptName: String

    package struct Key: Equatable, Sendable {
        package var issuer: String
        package var clientID: String
        package var subject: String
        package var role: String
    }

    package static let kind = CacheDirectory.Kind.credentials
    package var key: Key { Key(issuer: issuer, clientID: clientID, subject: subject, role: role) }
    package static func nameParts(of key: Key) -> [String] { [key.issuer, key.clientID, key.subject, key.role] }

    package func isUsable(at now: Date) -> Bool {
        credentials.expiration.timeIntervalSince(now) > credentialsMinimumRemaining
    }
}
