#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the roles API answered for one person, kept for an hour.
package struct RolesEntry: Codable, Sendable {
    package var url: String
    package var issuer: String
    package var subject: String
    package var roles: [String]
    package var aliases: [String: [String]]
    package var fetchedAt: Date

    package static let lifetime: TimeInterval = 3600

    static func name(url: String, issuer: String, subject: String) -> String {
        CacheDirectory.fileName(kind: .roles, key: [url, issuer, subject])
    }
}
