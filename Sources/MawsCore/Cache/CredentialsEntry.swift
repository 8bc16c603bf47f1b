#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// STS credentials for (issuer, client, subject, role), reused until 5 minutes before they expire.
public struct CredentialsEntry: Codable, Sendable {
    public var issuer: String
    public var clientID: String
    public var subject: String
    public var role: String
    public var credentials: AWSCredentials
    public var assumedRoleARN: String
    public var durationSeconds: Int
    public var promptName: String

    public static let minimumRemaining: TimeInterval = 300

    func isUsable(at now: Date) -> Bool {
        credentials.expiration.timeIntervalSince(now) > Self.minimumRemaining
    }

    static func name(issuer: String, clientID: String, subject: String, role: String) -> String {
        CacheDirectory.fileName(kind: .credentials, key: [issuer, clientID, subject, role])
    }
}
