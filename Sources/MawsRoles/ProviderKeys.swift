import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The configured issuer's discovery document and signing keys, shared by every request of the
/// roles API, and kept so that neither a burst of requests nor a failing IdP turns into a storm
/// of fetches.
///
/// - One fetch at a time: a request that needs the keys while another fetches them uses the keys
///   at hand, or, with none (a burst of first requests) or for an unknown `kid`, waits for that
///   fetch and uses its result, so the IdP sees one discovery and one JWKS request.
/// - Keys live for the JWKS response's Cache-Control `max-age`, between 1 s and 10 minutes (10
///   minutes without one), and are fetched again before the next verification after that: a key the
///   IdP withdrew stops being trusted. An unknown `kid` fetches them again too, at most once a minute.
/// - A failed fetch is remembered for a backoff (1 s, doubling up to 30 s): requests in that window
///   fail at once (or keep the last keys, below) instead of each waiting on a dead IdP.
/// - While the IdP cannot be reached, the last keys it published stay in use for at most an hour
///   past their lifetime, so an IdP outage does not take the roles API down with it.
package final class ProviderKeys: @unchecked Sendable {
    package struct Provider: Sendable {
        package var metadata: ProviderMetadata
        package var keys: JSONWebKeySet
        package var fetchedAt: Date
        package var expiresAt: Date
    }

    /// The keys cannot be had now: why, and in how many seconds to try again.
    package struct Unavailable: Error, Sendable, Equatable {
        package var reason: String
        package var retryAfter: Int
    }

    package static let longestLifetime: TimeInterval = 600
    package static let shortestLifetime: TimeInterval = 1
    package static let unknownKeyRefetchInterval: TimeInterval = 60
    package static let firstBackoff: TimeInterval = 1
    package static let longestBackoff: TimeInterval = 30
    package static let staleLimit: TimeInterval = 3600

    private struct Failure {
        var reason: String
        var retryAt: Date
        var consecutive: Int
    }

    private let wellKnownURL: EndpointURL
    private let http: HTTPClient
    private let diagnostics: Diagnostics
    private let now: @Sendable () -> Date
    private let lock = ConditionLock()
    // Guarded by `lock`.
    private var provider: Provider?
    private var fetching = false
    private var failure: Failure?

    package init(wellKnownURL: EndpointURL, http: HTTPClient, diagnostics: Diagnostics, now: @escaping @Sendable () -> Date = { Date() }) {
        self.wellKnownURL = wellKnownURL
        self.http = http
        self.diagnostics = diagnostics
        self.now = now
    }

    /// The keys at hand while they are fresh, without fetching or waiting for a fetch: what a
    /// request on the event loop uses. nil: the caller must go through `current()` off the loop.
    package func currentIfFresh() -> Provider? {
        lock.withLock {
            guard let provider, now() < provider.expiresAt else { return nil }
            return provider
        }
    }

    /// Whether `key` is among the IdP's keys and they are fresh: a token verified from memory must
    /// have been verified with a key the IdP still publishes. Once the keys' lifetime is over the
    /// token is verified again, which fetches them (or, while the IdP is down, uses the last ones).
    package func freshKeysInclude(_ key: JSONWebKey) -> Bool {
        lock.withLock {
            guard let provider, now() < provider.expiresAt else { return false }
            return provider.keys.keys.contains(key)
        }
    }

    /// When the keys in use were fetched (for `/metrics`).
    package var fetchedAt: Date? { lock.withLock { provider?.fetchedAt } }

    /// The keys to verify a token with. `unknownKey`: the token's `kid` is not among the current
    /// keys, so fetch them again if they are older than a minute (the IdP may have rotated them).
    package func current(unknownKey: Bool = false) throws(Unavailable) -> Provider {
        lock.lock()
        defer { lock.unlock() }
        while true {
            let time = now()
            if let provider, time < provider.expiresAt,
                !unknownKey || time.timeIntervalSince(provider.fetchedAt) < Self.unknownKeyRefetchInterval
            {
                return provider
            }
            if fetching {
                // Another request is fetching: keys at hand serve meanwhile (a slow or hanging IdP
                // must not hold every request up); only a request without usable keys, or asking
                // for an unknown kid, waits for that fetch.
                if let provider, !unknownKey, time < provider.expiresAt.addingTimeInterval(Self.staleLimit) {
                    return provider
                }
                lock.wait()
                continue  // The fetch we waited for may have answered the need, or failed: look again.
            }
            if let failure, time < failure.retryAt {
                return try lastKeys(at: time, failure: failure)
            }
            fetching = true
            let known = failure == nil ? provider?.metadata : nil  // After a failure, discover again.
            lock.unlock()
            let outcome = fetch(metadata: known)
            lock.lock()
            fetching = false
            lock.broadcast()
            switch outcome {
            case .success(let fresh):
                provider = fresh
                failure = nil
                return fresh
            case .failure(let problem):
                let reason = problem.reason
                let consecutive = (failure?.consecutive ?? 0) + 1
                let backoff = min(Self.longestBackoff, Self.firstBackoff * Double(1 << min(consecutive - 1, 16)))
                let failed = Failure(reason: reason, retryAt: now().addingTimeInterval(backoff), consecutive: consecutive)
                failure = failed
                diagnostics.warning("cannot fetch the identity provider's keys: \(reason); trying again in \(Int(backoff)) s")
                return try lastKeys(at: now(), failure: failed)
            }
        }
    }

    /// While the IdP cannot be reached: the keys it published last, unless they are too old.
    private func lastKeys(at time: Date, failure: Failure) throws(Unavailable) -> Provider {
        if let provider, time < provider.expiresAt.addingTimeInterval(Self.staleLimit) {
            return provider
        }
        throw Unavailable(reason: failure.reason, retryAfter: max(1, Int(failure.retryAt.timeIntervalSince(time).rounded(.up))))
    }

    private struct FetchFailure: Error {
        var reason: String
    }

    private func fetch(metadata known: ProviderMetadata?) -> Result<Provider, FetchFailure> {
        do {
            let metadata = try known ?? ProviderMetadata.discover(wellKnownURL, http: http)
            let (keys, maxAge) = try metadata.fetchKeysWithMaxAge(http: http)
            let lifetime = min(Self.longestLifetime, max(Self.shortestLifetime, maxAge.map(Double.init) ?? Self.longestLifetime))
            let fetchedAt = now()
            diagnostics.debug("fetched the identity provider's keys (\(keys.keys.count)), kept \(Int(lifetime)) s")
            return .success(
                Provider(metadata: metadata, keys: keys, fetchedAt: fetchedAt, expiresAt: fetchedAt.addingTimeInterval(lifetime)))
        } catch {
            return .failure(FetchFailure(reason: "\(error)"))
        }
    }
}
