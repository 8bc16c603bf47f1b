#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// STS credentials for (issuer, client, subject, role), reused until 5 minutes before they expire.
package struct CredentialsEntry: Codable, Sendable {
    package var issuer: String
    package var clientID: String
    package var subject: String
    package var role: String
    package var credentials: AWSCredentials
    package var assumedRoleARN: String
    package var durationSeconds: Int
    package var promptName: String

    package static let minimumRemaining: TimeInterval = 300

    func isUsable(at now: Date) -> Bool {
        credentials.expiration.timeIntervalSince(now) > Self.minimumRemaining
    }

    static func name(issuer: String, clientID: String, subject: String, role: String) -> String {
        CacheDirectory.fileName(kind: .credentials, key: [issuer, clientID, subject, role])
    }
}
