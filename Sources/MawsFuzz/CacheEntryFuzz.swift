#if DEBUG
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import MawsCore

/// The JSON files maws keeps: its cache entries (read as `CacheDirectory.read` does), the role
/// durations and the ledger of written profiles; then what maws does with an entry it reads.
enum CacheEntryFuzz {
    static let target = FuzzTarget(
        "cache",
        "cache entries and the written-profiles ledger: what maws reads it writes back "
            + "and reads again identically; the times of a usable entry format and give a "
            + "console session length; a cached key set and discovery document are usable"
    ) { data in
        run(data)
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func run(_ data: [UInt8]) {
        // The warm path's own readers agree with JSONDecoder on every input.
        let codableToken = try? JSONReader.decode(IDTokenEntry.self, from: data, dates: .secondsSince1970)
        require(IDTokenEntry.read(data) == codableToken, "IDTokenEntry.read disagrees with JSONDecoder")
        let codableCredentials = try? JSONReader.decode(CredentialsEntry.self, from: data, dates: .secondsSince1970)
        require(CredentialsEntry.read(data) == codableCredentials, "CredentialsEntry.read disagrees with JSONDecoder")
        let codableValue = try? JSONReader.decode(JSONValue.self, from: data)
        require((try? JSONParser.parse(data)) == codableValue || codableValue == nil, "JSONParser reads a document differently")
        if let entry: ProviderEntry = roundTrip(data) {
            if now.timeIntervalSince(entry.fetchedAt) < ProviderEntry.lifetime {
                _ = try? JSONWebKeySet(json: Data(entry.keys.utf8))
                _ = try? entry.metadata.endpoints()
            }
        }
        if let entry: IDTokenEntry = roundTrip(data), entry.isUsable(at: now) {
            _ = ISO8601.format(entry.claims.exp)
        }
        if let entry: RolesEntry = roundTrip(data), now.timeIntervalSince(entry.fetchedAt) < RolesEntry.lifetime {
            _ = ISO8601.format(entry.fetchedAt)
        }
        if let entry: CredentialsEntry = roundTrip(data), entry.isUsable(at: now) {
            // What the warm path prints, and what `-w` asks the console for.
            _ = ISO8601.format(entry.credentials.expiration)
            let duration = FederationSignIn.sessionDuration(for: entry.credentials, now: now)
            require((900...43200).contains(duration), "a console session of \(duration) s")
        }
        if let records: [WrittenProfiles.Record] = roundTrip(data) {
            for record in records.prefix(8) {
                _ = record.stillHeld(in: [:])
                _ = record.stillHeld(in: ["aws_access_key_id": record.accessKeyID ?? "ASIA", "region": record.region ?? ""])
            }
        }
        let _: [String: Int]? = roundTrip(data)
    }

    /// Reads `data` as maws reads its cache; what it reads must encode (as maws writes the cache)
    /// to a file it reads again and encodes identically.
    static func roundTrip<Entry: Codable>(_ data: [UInt8]) -> Entry? {
        guard let entry = try? JSONReader.decode(Entry.self, from: data, dates: .secondsSince1970) else { return nil }
        guard let written = try? JSONWriter.encode(entry, as: .cache) else {
            require(false, "a \(Entry.self) maws read cannot be written back")
            return nil
        }
        guard let reread = try? JSONReader.decode(Entry.self, from: written, dates: .secondsSince1970) else {
            require(false, "a \(Entry.self) maws wrote cannot be read again")
            return nil
        }
        require((try? JSONWriter.encode(reread, as: .cache)) == written, "a \(Entry.self) reads back differently from how it was written")
        return entry
    }
}
#endif
