import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The limit of one rebuild through the API every 5 minutes, shared by every replica: the time of
/// the last rebuild lives in a marker document beside the map (`rebuild_marker`, by default the
/// map's name with `.rebuilt-at`), and a replica claims a rebuild by replacing that document with
/// a conditional write over the version it read. Of two replicas claiming at once, one write
/// fails its condition, and that replica answers 429 like any other too-early request.
package struct RebuildMarker: Sendable {
    package enum Claim: Sendable, Equatable {
        /// The marker's version written by this claim, for `release`.
        case claimed(tag: String)
        /// Too soon after the last rebuild, or another replica claimed it first.
        case tooSoon(retryAfter: Int)
    }

    package var location: MapLocation
    package var store: MapStore
    package var interval: TimeInterval

    package init(location: MapLocation, store: MapStore, interval: TimeInterval) {
        self.location = location
        self.store = store
        self.interval = interval
    }

    private struct Marker: Codable {
        var rebuilt_at: String
        var by: String?
    }

    package func claim(at now: Date, by replica: String) throws -> Claim {
        let condition: MapStore.WriteCondition
        switch try store.read(location) {
        case .object(let bytes, let tag):
            // A marker that does not parse is overwritten, over its version like any other.
            if let marker = try? JSONReader.decode(Marker.self, from: bytes), let last = ISO8601.parse(marker.rebuilt_at) {
                // A time slightly ahead is another replica's clock running fast: still a recent
                // rebuild. One far ahead would block rebuilds for good, so it is ignored.
                let elapsed = now.timeIntervalSince(last)
                if elapsed < interval && elapsed > -interval {
                    return .tooSoon(retryAfter: max(1, Int((interval - elapsed).rounded(.up))))
                }
            }
            condition = .ifMatch(tag)
        case .missing, .notModified:
            condition = .ifAbsent
        }
        let marker = try JSONWriter.encode(Marker(rebuilt_at: ISO8601.format(now), by: replica), as: .compact) + [10]
        do {
            return .claimed(tag: try store.write(location, marker, condition: condition))
        } catch MapStoreError.lostRace {
            return .tooSoon(retryAfter: Int(interval))
        }
    }

    /// Gives back a claim whose rebuild failed, so that one replica's failure (missing
    /// permissions, say) does not hold every other's rebuild off for the interval. Only the
    /// marker this claim wrote is replaced; a failure to do so is left to the interval.
    package func release(_ tag: String, by replica: String) {
        let marker =
            (try? JSONWriter.encode(Marker(rebuilt_at: ISO8601.format(Date(timeIntervalSince1970: 0)), by: replica), as: .compact)) ?? []
        _ = try? store.write(location, marker + [10], condition: .ifMatch(tag))
    }
}
