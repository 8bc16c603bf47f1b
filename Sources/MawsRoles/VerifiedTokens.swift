import MawsCore

/// ID tokens the API has verified, by the SHA-256 of their text, until they expire: a person's
/// maws asks again with the same token (several roles, `maws exec` runs, retries), and a repeat
/// costs a hash and a lookup instead of a signature check. Only what the answer needs is kept
/// (the groups, and the key that verified it), never the token. An entry counts only while the IdP's
/// keys are fresh and include that key. With the request's `"cache": false` the token is verified anew.
package final class VerifiedTokens: Sendable {
    package struct Digest: Hashable, Sendable {
        var words: (UInt64, UInt64, UInt64, UInt64)

        package init(_ token: String) throws(CryptoError) {
            let hash = try SHA256.hash(Array(token.utf8))
            func word(_ offset: Int) -> UInt64 { hash[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) } }
            words = (word(0), word(8), word(16), word(24))
        }

        package static func == (a: Digest, b: Digest) -> Bool { a.words == b.words }
        package func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
        }
    }

    package struct Entry: Sendable {
        package var groups: [String]
        /// The IdP's key that verified the token: the entry counts only while the IdP's fresh keys include it.
        package var key: JSONWebKey
        /// The token's `exp`, in seconds since 1970.
        package var expires: Double
        /// The last answer, and the map version it was computed from.
        package var answer: (version: Int, bytes: [UInt8])?
    }

    package let capacity: Int
    private let entries = Locked<[Digest: Entry]>([:])

    package init(capacity: Int) {
        self.capacity = capacity
    }

    package var count: Int { entries.withLock { $0.count } }

    /// The entry of a token that has not expired at `now` (seconds since 1970).
    package func entry(_ digest: Digest, now: Double) -> Entry? {
        entries.withLock { entries in
            guard let entry = entries[digest] else { return nil }
            guard now < entry.expires else {
                entries[digest] = nil
                return nil
            }
            return entry
        }
    }

    /// Keeps `entry`; when full, expired entries go first, and if none had expired, all of them
    /// (the next requests verify again), so that memory stays bounded whatever the traffic.
    package func keep(_ digest: Digest, _ entry: Entry, now: Double) {
        guard capacity > 0 else { return }
        entries.withLock { entries in
            if entries.count >= capacity, entries[digest] == nil {
                entries = entries.filter { now < $0.value.expires }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[digest] = entry
        }
    }

    /// Records the answer computed for a cached token from map `version`.
    package func remember(_ digest: Digest, answer: [UInt8], version: Int) {
        entries.withLock { $0[digest]?.answer = (version, answer) }
    }

    package func removeAll() {
        entries.withLock { $0.removeAll() }
    }
}
