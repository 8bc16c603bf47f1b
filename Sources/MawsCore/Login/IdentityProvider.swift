#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The identity provider as the sign-in flow uses it: its discovery document and signing keys,
/// from the cache while less than a day old, and keys fetched again (and cached) when a token
/// names one they lack.
final class IdentityProvider {
    let metadata: ProviderMetadata
    private(set) var keys: JSONWebKeySet
    private let wellKnownURL: EndpointURL
    private let cache: CacheDirectory
    private let http: HTTPClient
    private let diagnostics: Diagnostics

    var issuer: String { metadata.issuer }

    /// The provider behind `wellKnownURL`: cached, else discovered now (and cached).
    init(wellKnownURL: EndpointURL, cache: CacheDirectory, http: HTTPClient, diagnostics: Diagnostics) throws {
        self.wellKnownURL = wellKnownURL
        self.cache = cache
        self.http = http
        self.diagnostics = diagnostics
        if let entry = cache.entry(ProviderEntry.self, for: wellKnownURL.string, usableAt: Date()),
            let keys = try? JSONWebKeySet(json: Data(entry.keys.utf8))
        {
            metadata = entry.metadata
            self.keys = keys
            return
        }
        diagnostics.debug("reading the OIDC discovery document at \(wellKnownURL)")
        metadata = try ProviderMetadata.discover(wellKnownURL, http: http)
        keys = try metadata.fetchKeys(http: http)
        save()
    }

    /// Verifies `token` for `clientID` (and `nonce`, for a token from the browser sign-in).
    func verify(_ token: String, clientID: String, nonce: String?) throws -> IDToken {
        let verifier = KeyRefetchingVerifier(IDTokenVerifier(issuer: issuer, clientID: clientID, expectedNonce: nonce))
        return try verifier.verify(token, keys: keys) {
            diagnostics.debug("the ID token's key is not in the cached JWKS; fetching it again")
            keys = try metadata.fetchKeys(http: http)
            save()
            return keys
        }
    }

    private func save() {
        let document = (try? JSONWriter.encode(keys.document, as: .compact)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        cache.store(
            ProviderEntry(wellKnownURL: wellKnownURL.string, metadata: metadata, keys: document, fetchedAt: Date()),
            diagnostics: diagnostics)
    }
}
