#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The IdP's discovery document and keys, refetched after a day or on an unknown key id.
package struct ProviderEntry: Codable, Sendable {
    package var wellKnownURL: String
    package var metadata: ProviderMetadata
    /// The JWKS document as fetched (JSON text).
    package var keys: String
    package var fetchedAt: Date

    package static let lifetime: TimeInterval = 86_400

    static func name(wellKnownURL: String) -> String {
        CacheDirectory.fileName(kind: .provider, key: [wellKnownURL])
    }
}
