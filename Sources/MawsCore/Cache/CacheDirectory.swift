#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// maws's cache, `$XDG_CACHE_HOME/maws`: a 0700 directory of 0600 JSON files.
///
/// Nothing read from here is trusted unless this user wrote it: a file that is not a regular file
/// owned by us, is writable by others, or does not decode, is treated as absent (and replaced on
/// the next write). Entries carry their full key and are checked against it, so the short file
/// names (a hash of the key) can never make one entry stand in for another.
public struct CacheDirectory: Sendable {
    public let path: String

    public init(environment: Environment) {
        path = environment.cacheHome + "/maws"
    }

    /// The cache is used only when its directory is ours and closed to others.
    var isTrustworthy: Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return true }  // Not there yet: it will be created 0700.
        return (info.st_mode & S_IFMT) == S_IFDIR && info.st_uid == getuid() && info.st_mode & 0o022 == 0
    }

    public func read<Entry: Decodable>(_ name: String, as type: Entry.Type) -> Entry? {
        guard isTrustworthy, let bytes = AtomicFile.readPrivate(path + "/" + name) else { return nil }
        return try? Self.decoder.decode(Entry.self, from: Data(bytes))
    }

    public func write<Entry: Encodable>(_ entry: Entry, to name: String) throws {
        guard isTrustworthy else { throw CacheError.untrusted(path: path) }
        try AtomicFile.write(Array(try Self.encoder.encode(entry)), to: path + "/" + name)
    }

    /// Writes `entry` if it can. Caching is best effort: a failed write costs a later sign-in
    /// (said on stderr), never the current run.
    public func store<Entry: Encodable>(_ entry: Entry, as name: String, diagnostics: Diagnostics) {
        do {
            try write(entry, to: name)
        } catch {
            diagnostics.warning("cannot write the cache: \(error)")
        }
    }

    public func remove(_ name: String) {
        unlink(path + "/" + name)
    }

    /// The names of the entries whose names start with `prefix`.
    public func entries(withPrefix prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }
    }

    /// Removes cached credentials (for `role` only, or all), and with `everything` the ID tokens
    /// and roles too. Returns how many entries went.
    @discardableResult
    public func forget(role: String?, everything: Bool) -> Int {
        var removed = 0
        for name in entries(withPrefix: CredentialsEntry.kind + "-") {
            if let role, read(name, as: CredentialsEntry.self)?.role != role { continue }
            remove(name)
            removed += 1
        }
        if everything {
            for name in entries(withPrefix: "session-") + entries(withPrefix: "roles-") {
                remove(name)
                removed += 1
            }
        }
        return removed
    }

    /// Runs `body` holding the cache's lock: how concurrent maws processes agree that one of them
    /// signs in (or calls STS) while the others wait and then use what it cached.
    /// `waiting` is called once if another process holds the lock.
    public func withLock<T>(waiting: () -> Void = {}, _ body: () throws -> T) throws -> T {
        try AtomicFile.ensureDirectory(path)
        guard isTrustworthy else { throw CacheError.untrusted(path: path) }
        return try FileLock.withExclusiveLock(onDirectory: path, waiting: waiting, body)
    }

    /// A file name for `key`: a 64-bit FNV-1a hash in hex. Not a security boundary (entries are
    /// checked against their full key); it keeps the warm path free of libcrypto.
    public static func fileName(kind: String, key: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.joined(separator: "\u{0}").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return "\(kind)-\(String(repeating: "0", count: 16 - hex.count))\(hex).json"
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()
}

public enum CacheError: MawsError, Equatable {
    case untrusted(path: String)

    public var description: String {
        switch self {
        case .untrusted(let path):
            return "the cache directory \(path) is not a directory owned by you and closed to others; remove it or fix its mode (0700)"
        }
    }
}
