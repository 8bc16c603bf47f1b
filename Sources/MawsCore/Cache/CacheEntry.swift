#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What maws keeps in its cache. Each kind of entry says which key it answers for, the file that
/// key gives, and until when it may be used; `CacheDirectory.entry(_:for:usableAt:)` applies
/// all three, so a reader only says what it wants.
///
/// An entry keeps its whole key inside: the file name is only a hash of it, and an entry is used
/// only for exactly the key it was written for.
package protocol CacheEntry: Codable, Sendable {
    associatedtype Key: Equatable & Sendable
    static var kind: CacheDirectory.Kind { get }
    var key: Key { get }
    /// The parts of `key` the file name is made from.
    static func nameParts(of key: Key) -> [String]
    /// Whether the entry may still be used at `now`.
    func isUsable(at now: Date) -> Bool
}

extension CacheEntry {
    static func fileName(for key: Key) -> String {
        CacheDirectory.fileName(kind: kind, key: nameParts(of: key))
    }
}

/// Credentials are used until this long before they expire, so that what maws hands over still
/// works for a while.
package let credentialsMinimumRemaining: TimeInterval = 300
