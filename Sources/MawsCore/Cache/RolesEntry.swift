#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the roles API answered for one person, kept for an hour.
package struct RolesEntry: CacheEntry {
    package var url: String
    package var issuer: String
    package var subject: String
    package var roles: [String]
    package var aliases: [String: [String]]
    package var fetchedAt: Date

    package struct Key: Equatable, Sendable {
        package var url: String
        package var issuer: String
        package var subject: String
    }

    package static let kind = CacheDirectory.Kind.roles
    package var key: Key { Key(url: url, issuer: issuer, subject: subject) }
    package static func nameParts(of key: Key) -> [String] { [key.url, key.issuer, key.subject] }

    package static let lifetime: TimeInterval = 3600

    package func isUsable(at now: Date) -> Bool {
        now.timeIntervalSince(fetchedAt) < Self.lifetime
    }
}
