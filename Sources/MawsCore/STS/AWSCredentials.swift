#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Temporary AWS credentials.
public struct AWSCredentials: Codable, Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String
    public var expiration: Date

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String, expiration: Date) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }
}

/// What STS answered for an assumed role.
public struct AssumedRole: Sendable, Equatable {
    public var role: RoleARN
    public var credentials: AWSCredentials
    /// `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`.
    public var assumedRoleARN: String
    /// The duration that STS accepted, in seconds.
    public var durationSeconds: Int
}

/// ISO 8601 timestamps as AWS writes them: `2026-11-21T05:00:00Z`, with or without fractional seconds.
public enum ISO8601 {
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingINIWhitespace()
        if let date = try? Date(String(trimmed), strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(String(trimmed), strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }
}
