#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The IdP's discovery document and keys, refetched after a day or on an unknown key id.
public struct ProviderEntry: Codable, Sendable {
    public var wellKnownURL: String
    public var metadata: ProviderMetadata
    /// The JWKS document as fetched (JSON text).
    public var keys: String
    public var fetchedAt: Date

    public static let lifetime: TimeInterval = 86_400

    static func name(wellKnownURL: String) -> String {
        CacheDirectory.fileName(kind: .provider, key: [wellKnownURL])
    }
}
