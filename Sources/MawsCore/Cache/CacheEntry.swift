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
    /// The entry in a cache file's bytes, or nil when they are not one. The default decodes with
    /// `JSONDecoder`; the entries the cached-credentials path reads parse the file themselves
    /// (`CachedDocument`), which a unit test and the cache fuzz target hold to the same result.
    static func read(_ bytes: [UInt8]) -> Self?
}

extension CacheEntry {
    package static func read(_ bytes: [UInt8]) -> Self? {
        try? JSONReader.decode(Self.self, from: bytes, dates: .secondsSince1970)
    }

    static func fileName(for key: Key) -> String {
        CacheDirectory.fileName(kind: kind, key: nameParts(of: key))
    }
}

/// Credentials are used until this long before they expire, so that what maws hands over still
/// works for a while.
package let credentialsMinimumRemaining: TimeInterval = 300

/// A cache file's JSON object, read the way `JSONDecoder` reads the entry types: a required member
/// must be there with its type, an optional one may be absent or null, other members are ignored,
/// dates are seconds since 1970.
struct CachedDocument {
    let members: [String: JSONValue]

    init?(_ value: JSONValue) {
        guard case .object(let members) = value else { return nil }
        self.members = members
    }

    init?(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes) else { return nil }
        self.init(value)
    }

    func string(_ key: String) -> String? {
        if case .string(let value)? = members[key] { return value }
        return nil
    }

    /// Absent or null: `.some(nil)`; a string: `.some(value)`; anything else: nil (a decoding error).
    func optionalString(_ key: String) -> String?? {
        switch members[key] {
        case nil, .null?: return .some(nil)
        case .string(let value)?: return .some(value)
        default: return nil
        }
    }

    func number(_ key: String) -> Double? {
        if case .number(let value)? = members[key] { return value }
        return nil
    }

    func optionalNumber(_ key: String) -> Double?? {
        switch members[key] {
        case nil, .null?: return .some(nil)
        case .number(let value)?: return .some(value)
        default: return nil
        }
    }

    func integer(_ key: String) -> Int? {
        number(key).flatMap { Int(exactly: $0) }
    }

    func date(_ key: String) -> Date? {
        number(key).map(Date.init(timeIntervalSince1970:))
    }

    func strings(_ key: String) -> [String]? {
        guard case .array(let items)? = members[key] else { return nil }
        var strings: [String] = []
        for item in items {
            guard case .string(let value) = item else { return nil }
            strings.append(value)
        }
        return strings
    }

    func object(_ key: String) -> CachedDocument? {
        members[key].flatMap(CachedDocument.init)
    }
}
