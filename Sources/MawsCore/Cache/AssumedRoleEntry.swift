#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Credentials of a role assumed with IAM user keys (`maws assume`), keyed by everything that
/// shaped them: the source credentials, role, external id, session name and duration.
package struct AssumedRoleEntry: CacheEntry {
    package var key: String
    package var role: String
    package var credentials: AWSCredentials
    package var assumedRoleARN: String
    package var durationSeconds: Int

    package static let kind = CacheDirectory.Kind.assumed
    package static func nameParts(of key: String) -> [String] { [key] }

    package func isUsable(at now: Date) -> Bool {
        credentials.expiration.timeIntervalSince(now) > credentialsMinimumRemaining
    }
}
