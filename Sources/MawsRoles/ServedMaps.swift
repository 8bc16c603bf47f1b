import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The group-role map and the account aliases the API answers from, kept current by a thread of
/// their own: every `interval` it asks each source for a new version with a conditional read (S3's
/// `If-None-Match`; a file's content tag), and when one changed, reads both, prepares a
/// `RoleLookup` and swaps it in whole. A source that cannot be reached, or a document that does
/// not parse, leaves the last good version in service, and the failure is kept for `/healthz`.
/// Requests only ever read the current version; they never wait for a source.
package final class ServedMaps: @unchecked Sendable {
    package struct Version: Sendable {
        package var lookup: RoleLookup
        /// Counts the versions this process loaded: answers cached for a token name theirs.
        package var number: Int
        /// The sources' tags (S3 ETags): group-role map, account aliases.
        package var tags: [String]
        package var loadedAt: Date
    }

    package struct Status: Sendable {
        package var version: Version?
        package var checkedAt: Date?
        /// The last check's failure; nil once a check succeeds.
        package var lastError: String?
    }

    package let groupRoleMap: MapLocation
    package let accountAliases: MapLocation
    package let interval: Double
    private let store: MapStore
    private let diagnostics: Diagnostics
    private let metrics: Metrics
    private let state = Locked(Status())
    /// The last bytes and tag read from each source, so that a change to one re-reads only it.
    private let sources = Locked<[MapLocation: (tag: String, bytes: [UInt8])]>([:])
    private let wakeUp = ConditionLock()
    // Guarded by `wakeUp`.
    private var pending = false
    private var stopped = false
    private let checking = Locked(())

    package init(
        groupRoleMap: MapLocation, accountAliases: MapLocation, interval: Double, store: MapStore, diagnostics: Diagnostics,
        metrics: Metrics
    ) {
        self.groupRoleMap = groupRoleMap
        self.accountAliases = accountAliases
        self.interval = interval
        self.store = store
        self.diagnostics = diagnostics
        self.metrics = metrics
    }

    package var current: Version? { state.withLock { $0.version } }
    package var status: Status { state.withLock { $0 } }

    /// Checks the sources now (on the caller's thread) and swaps in a new version if one is there.
    package func check() {
        checking.withLock { _ in
            let now = Date()
            do {
                let changed = try readChanges()
                state.withLock {
                    $0.checkedAt = now
                    $0.lastError = nil
                }
                metrics.mapCheck(changed ? "changed" : "unchanged")
            } catch {
                let reason = "\(error)"
                let previous = state.withLock { status in
                    defer {
                        status.checkedAt = now
                        status.lastError = reason
                    }
                    return status.lastError
                }
                if previous != reason {
                    diagnostics.warning("cannot load the maps: \(reason); still serving the version loaded before")
                }
                metrics.mapCheck("failed")
            }
        }
    }

    /// Reads the sources that changed; returns whether a new version went into service.
    private func readChanges() throws -> Bool {
        let locations = [groupRoleMap, accountAliases]
        var fresh: [MapLocation: (tag: String, bytes: [UInt8], document: [String: [String]])] = [:]
        for location in locations {
            let known = sources.withLock { $0[location] }
            switch try store.read(location, ifNoneMatch: known?.tag) {
            case .notModified:
                continue
            case .missing:
                throw MapStoreError.unreadable(location: location.description, reason: "it does not exist (has the builder run?)")
            case .object(let bytes, let tag) where bytes == known?.bytes:
                sources.withLock { $0[location]?.tag = tag }
            case .object(let bytes, let tag):
                fresh[location] = (tag, bytes, try Self.parse(bytes, location: location))
            }
        }
        guard !fresh.isEmpty || current == nil else { return false }
        // Both documents parse (a broken one never replaces a good one): only now are they kept.
        let documents = try locations.map { location in
            if let new = fresh[location] { return new.document }
            guard let known = sources.withLock({ $0[location] }) else {
                throw MapStoreError.unreadable(location: location.description, reason: "not read yet")
            }
            return try Self.parse(known.bytes, location: location)
        }
        sources.withLock { for (location, new) in fresh { $0[location] = (new.tag, new.bytes) } }
        let tags = locations.map { location in sources.withLock { $0[location]?.tag ?? "" } }
        let lookup = RoleLookup(groupRoles: documents[0], aliases: documents[1])
        let loaded = state.withLock { status -> Version in
            let version = Version(lookup: lookup, number: (status.version?.number ?? 0) + 1, tags: tags, loadedAt: Date())
            status.version = version
            return version
        }
        diagnostics.info(
            "maws-roles: serving map version \(loaded.number): \(lookup.groupCount) groups, \(documents[1].count) accounts")
        return true
    }

    /// `{"NAME": ["VALUE", ...]}`; in the group-role map, every value a role ARN.
    static func parse(_ bytes: [UInt8], location: MapLocation) throws -> [String: [String]] {
        let document: [String: [String]]
        do {
            document = try JSONReader.decode([String: [String]].self, from: bytes)
        } catch {
            throw MapStoreError.unreadable(location: location.description, reason: "expected {\"NAME\": [\"VALUE\", ...]} (\(error))")
        }
        return document
    }

    // MARK: The polling thread

    /// Starts the thread that checks every `interval` seconds (or at once after `checkSoon()`).
    package func startPolling() {
        let failure = Threads.startDetached { [self] in
            while true {
                wakeUp.lock()
                if !pending && !stopped { wakeUp.wait(seconds: interval) }
                let stop = stopped
                pending = false
                wakeUp.unlock()
                if stop { return }
                check()
            }
        }
        if let failure { diagnostics.warning("cannot start the thread that checks the maps: \(failure); they will not be reloaded") }
    }

    /// Asks the polling thread to check now (after a rebuild, say).
    package func checkSoon() {
        wakeUp.withLock { pending = true }
        wakeUp.signal()
    }

    package func stopPolling() {
        wakeUp.withLock { stopped = true }
        wakeUp.signal()
    }
}
