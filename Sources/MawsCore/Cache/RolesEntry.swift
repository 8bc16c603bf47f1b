#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the roles API answered for one person, kept for an hour.
public struct RolesEntry: Codable, Sendable {
    public var url: String
    public var issuer: String
    public var subject: String
    public var roles: [String]
    public var aliases: [String: [String]]
    public var fetchedAt: Date

    public static let lifetime: TimeInterval = 3600

    static func name(url: String, issuer: String, subject: String) -> String {
        CacheDirectory.fileName(kind: .roles, key: [url, issuer, subject])
    }
}
