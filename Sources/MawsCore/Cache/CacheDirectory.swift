import Glibc

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// maws's cache, `$XDG_CACHE_HOME/maws`: a 0700 directory of 0600 JSON files.
///
/// Nothing read from here is trusted unless this user wrote it: a file that is not a regular file
/// owned by us, is writable by others, or does not decode, is treated as absent (and replaced on
/// the next write). Entries carry their full key and are checked against it, so the short file
/// names (a hash of the key) can never make one entry stand in for another.
package struct CacheDirectory: Sendable {
    package let path: String

    package init(environment: Environment) {
        path = environment.cacheHome + "/maws"
    }

    /// The cache is used only when its directory is ours and closed to others.
    var isTrustworthy: Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return true }  // Not there yet: it will be created 0700.
        return (info.st_mode & S_IFMT) == S_IFDIR && info.st_uid == getuid() && info.st_mode & 0o022 == 0
    }

    /// The entry cached for exactly `key`, written by this user; with `now`, only if it may still
    /// be used then (`CacheEntry.isUsable`).
    package func entry<Entry: CacheEntry>(_ type: Entry.Type, for key: Entry.Key, usableAt now: Date?) -> Entry? {
        guard let bytes = contents(of: Entry.fileName(for: key)), let entry = Entry.read(bytes), entry.key == key else { return nil }
        if let now, !entry.isUsable(at: now) { return nil }
        return entry
    }

    /// Stores `entry` under its key, if it can (`store(_:as:diagnostics:)`).
    package func store<Entry: CacheEntry>(_ entry: Entry, diagnostics: Diagnostics) {
        store(entry, as: Entry.fileName(for: entry.key), diagnostics: diagnostics)
    }

    package func read<Entry: Decodable>(_ name: String, as type: Entry.Type) -> Entry? {
        guard let bytes = contents(of: name) else { return nil }
        return try? JSONReader.decode(Entry.self, from: bytes, dates: .secondsSince1970)
    }

    /// The bytes of the cache file `name`, if the cache is ours and the file is a private one.
    private func contents(of name: String) -> [UInt8]? {
        guard isTrustworthy else { return nil }
        return AtomicFile.readPrivate(path + "/" + name)
    }

    package func write<Entry: Encodable>(_ entry: Entry, to name: String) throws {
        guard isTrustworthy else { throw CacheError.untrusted(path: path) }
        try AtomicFile.write(try JSONWriter.encode(entry, as: .cache), to: path + "/" + name)
    }

    /// Writes `entry` if it can. Caching is best effort: a failed write costs a later sign-in
    /// (said on stderr), never the current run.
    package func store<Entry: Encodable>(_ entry: Entry, as name: String, diagnostics: Diagnostics) {
        do {
            try write(entry, to: name)
        } catch {
            diagnostics.warning("cannot write the cache: \(error)")
        }
    }

    package func remove(_ name: String) {
        unlink(path + "/" + name)
    }

    /// What the cache holds, by the prefix of the entries' file names.
    package enum Kind: String, CaseIterable, Sendable {
        /// The IdP's discovery document and public keys.
        case provider
        /// ID and refresh tokens.
        case session
        /// The roles API's answers.
        case roles
        /// STS credentials from a sign-in.
        case credentials
        /// MFA session tokens (`maws session`) of IAM users.
        case userSession = "user-session"
        /// Role credentials from `maws assume`.
        case assumed
        /// Vault tokens from logging in to Vault with an ID token.
        case vaultToken = "vault-token"
        /// AWS credentials from Vault's AWS secrets engine.
        case vaultCredentials = "vault-credentials"

        /// Whether entries of this kind let maws act as the person without asking again: what
        /// `maws logout --all` removes. The IdP's public keys are no secret (encrypted long-lived
        /// keys are not in the cache at all).
        package var isSecret: Bool {
            switch self {
            case .provider: return false
            case .session, .roles, .credentials, .userSession, .assumed, .vaultToken, .vaultCredentials: return true
            }
        }

        package static var secrets: [Kind] { allCases.filter(\.isSecret) }

        func describe(_ count: Int) -> String {
            let plural = count == 1 ? "" : "s"
            switch self {
            case .provider: return "\(count) IdP key set\(plural)"
            case .session: return "\(count) ID and refresh token\(plural)"
            case .roles: return "\(count) role list\(plural)"
            case .credentials: return "\(count) role credential\(plural)"
            case .userSession: return "\(count) MFA session\(plural)"
            case .assumed: return "\(count) assumed-role credential\(plural)"
            case .vaultToken: return "\(count) Vault token\(plural)"
            case .vaultCredentials: return "\(count) Vault credential\(plural)"
            }
        }
    }

    /// Every entry of `type` in the cache, whatever its key (for `maws status`); none when the
    /// cache is not this user's.
    package func all<Entry: CacheEntry>(_ type: Entry.Type) -> [Entry] {
        guard isTrustworthy else { return [] }
        return entries(of: Entry.kind).sorted().compactMap { name in contents(of: name).flatMap(Entry.read) }
    }

    /// The role ARNs of every role list cached for this user (for shell completion), sorted.
    package func knownRoleARNs() -> [String] {
        guard isTrustworthy else { return [] }
        var roles = Set<String>()
        for name in entries(of: .roles) {
            if let bytes = contents(of: name), let entry = RolesEntry.read(bytes) { roles.formUnion(entry.roles) }
        }
        return roles.sorted()
    }

    /// The entries of `kind`.
    func entries(of kind: Kind) -> [String] {
        let prefix = kind.rawValue + "-"
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }
    }

    /// Removes the entries of `kinds`; with `role`, only those holding that role's credentials.
    /// Returns what went, e.g. "2 role credentials", one phrase per kind.
    package func forget(_ kinds: [Kind], role: String? = nil) -> [String] {
        struct RoleField: Decodable { var role: String? }
        var removed: [String] = []
        for kind in kinds {
            var count = 0
            for name in entries(of: kind) {
                if let role, read(name, as: RoleField.self)?.role != role { continue }
                remove(name)
                count += 1
            }
            if count > 0 { removed.append(kind.describe(count)) }
        }
        return removed
    }

    /// Runs `body` holding the cache's lock: how concurrent maws processes agree that one of them
    /// signs in (or calls STS) while the others wait and then use what it cached.
    /// `waiting` is called once if another process holds the lock.
    package func withLock<T>(waiting: () -> Void = {}, _ body: () throws -> T) throws -> T {
        try ensureTrustworthy()
        return try FileLock.withExclusiveLock(onDirectory: path, waiting: waiting, body)
    }

    /// Creates the directory (0700) if needed, and refuses one that is not ours and closed to others.
    package func ensureTrustworthy() throws {
        try AtomicFile.ensureDirectory(path)
        guard isTrustworthy else { throw CacheError.untrusted(path: path) }
    }

    /// A file name for `key`: its `keyHash`. Not a security boundary (entries are checked against
    /// their full key); it keeps the warm path free of libcrypto.
    package static func fileName(kind: Kind, key: [String]) -> String {
        "\(kind.rawValue)-\(keyHash(key)).json"
    }

    /// A 64-bit FNV-1a hash of `key`, as 16 hex digits.
    package static func keyHash(_ key: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        // The parts joined by NUL bytes, hashed as they come (no joined String is made).
        for (index, part) in key.enumerated() {
            if index > 0 { mix(0) }
            for byte in part.utf8 { mix(byte) }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

package enum CacheError: MawsError, Equatable {
    case untrusted(path: String)

    package var description: String {
        switch self {
        case .untrusted(let path):
            return "the cache directory \(path) is not a directory owned by you and closed to others; remove it or fix its mode (0700)"
        }
    }
}
