#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The IdP's discovery document and keys, refetched after a day or on an unknown key id.
package struct ProviderEntry: CacheEntry {
    package var wellKnownURL: String
    package var metadata: ProviderMetadata
    /// The JWKS document as fetched (JSON text).
    package var keys: String
    package var fetchedAt: Date

    package static let kind = CacheDirectory.Kind.provider
    package var key: String { wellKnownURL }
    package static func nameParts(of key: String) -> [String] { [key] }

    package static let lifetime: TimeInterval = 86_400

    package func isUsable(at now: Date) -> Bool {
        now.timeIntervalSince(fetchedAt) < Self.lifetime
    }
}
