import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The roles API's counters, rendered for Prometheus (`GET /metrics`, text format 0.0.4).
///
/// Counters only grow while the process lives; a config reload (SIGHUP) keeps them. Gauges that
/// describe the current service (map and key age, cache size) are read when rendered.
package final class Metrics: Sendable {
    /// Latency buckets in seconds: fine below 10 ms, where a healthy API answers.
    package static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct Histogram {
        var counts = [UInt64](repeating: 0, count: Metrics.buckets.count)
        var sum: Double = 0
        var total: UInt64 = 0

        mutating func record(_ seconds: Double, bucket: Int?) {
            if let bucket { counts[bucket] += 1 }
            sum += seconds
            total += 1
        }
    }

    private struct Counters {
        var requests: [String: [Int: UInt64]] = [:]
        var latency: [String: Histogram] = [:]
        var cacheHits: UInt64 = 0
        var cacheMisses: UInt64 = 0
        var rebuilds: [String: UInt64] = [:]
        var mapChecks: [String: UInt64] = [:]
        var refusedConnections: UInt64 = 0
    }

    private let counters = Locked(Counters())

    package init() {}

    /// One answered request: `endpoint` is the route (never the raw path, which a caller chooses).
    package func request(endpoint: String, status: Int, seconds: Double) {
        let bucket = Self.buckets.firstIndex(where: { seconds <= $0 })
        counters.withLock { counters in
            counters.requests[endpoint, default: [:]][status, default: 0] += 1
            // Changed in place: a copy out of the dictionary would copy the counts at every request.
            counters.latency[endpoint, default: Histogram()].record(seconds, bucket: bucket)
        }
    }

    package func tokenCache(hit: Bool) {
        counters.withLock { counters in
            if hit { counters.cacheHits += 1 } else { counters.cacheMisses += 1 }
        }
    }

    /// `result`: ok, failed, or refused (the 5-minute limit).
    package func rebuild(_ result: String) {
        counters.withLock { $0.rebuilds[result, default: 0] += 1 }
    }

    /// A connection closed unread because `max_connections` were open.
    package func connectionRefused() {
        counters.withLock { $0.refusedConnections += 1 }
    }

    /// `result`: changed, unchanged, or failed.
    package func mapCheck(_ result: String) {
        counters.withLock { $0.mapChecks[result, default: 0] += 1 }
    }

    package struct Gauges: Sendable {
        package var mapAgeSeconds: Double?
        package var keysAgeSeconds: Double?
        package var cachedTokens: Int
        package var mapVersion: Int
    }

    package func render(_ gauges: Gauges) -> String {
        let counters = counters.withLock { $0 }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        /// A label value as the text format wants it (backslash, quote and line feed escaped).
        func label(_ value: String) -> String {
            var escaped = ""
            for character in value {
                switch character {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.append(character)
                }
            }
            return escaped
        }
        func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
        family("maws_roles_requests_total", "counter", "Requests answered, by endpoint and HTTP status.")
        for endpoint in counters.requests.keys.sorted() {
            for (status, count) in counters.requests[endpoint]!.sorted(by: { $0.key < $1.key }) {
                out += "maws_roles_requests_total{endpoint=\"\(label(endpoint))\",status=\"\(status)\"} \(count)\n"
            }
        }
        family("maws_roles_request_duration_seconds", "histogram", "Time from the request to the answer.")
        for endpoint in counters.latency.keys.sorted() {
            let histogram = counters.latency[endpoint]!
            let endpoint = label(endpoint)
            var cumulative: UInt64 = 0
            for (bound, count) in zip(Self.buckets, histogram.counts) {
                cumulative += count
                out += "maws_roles_request_duration_seconds_bucket{endpoint=\"\(endpoint)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "maws_roles_request_duration_seconds_bucket{endpoint=\"\(endpoint)\",le=\"+Inf\"} \(histogram.total)\n"
            out += "maws_roles_request_duration_seconds_sum{endpoint=\"\(endpoint)\"} \(histogram.sum)\n"
            out += "maws_roles_request_duration_seconds_count{endpoint=\"\(endpoint)\"} \(histogram.total)\n"
        }
        family("maws_roles_token_cache_hits_total", "counter", "ID tokens answered from the verified-token cache.")
        out += "maws_roles_token_cache_hits_total \(counters.cacheHits)\n"
        family("maws_roles_token_cache_misses_total", "counter", "ID tokens whose signature was checked.")
        out += "maws_roles_token_cache_misses_total \(counters.cacheMisses)\n"
        family("maws_roles_token_cache_entries", "gauge", "Verified tokens held until they expire.")
        out += "maws_roles_token_cache_entries \(gauges.cachedTokens)\n"
        family("maws_roles_rebuilds_total", "counter", "Rebuilds of the group-role map asked through the API, by result.")
        for result in ["ok", "failed", "refused"] {
            out += "maws_roles_rebuilds_total{result=\"\(result)\"} \(counters.rebuilds[result] ?? 0)\n"
        }
        family("maws_roles_map_checks_total", "counter", "Checks of the maps' sources for a new version, by result.")
        for result in ["changed", "unchanged", "failed"] {
            out += "maws_roles_map_checks_total{result=\"\(result)\"} \(counters.mapChecks[result] ?? 0)\n"
        }
        family("maws_roles_connections_refused_total", "counter", "Connections closed unread because max_connections were open.")
        out += "maws_roles_connections_refused_total \(counters.refusedConnections)\n"
        family("maws_roles_map_version", "gauge", "How many versions of the maps this process has loaded.")
        out += "maws_roles_map_version \(gauges.mapVersion)\n"
        if let age = gauges.mapAgeSeconds {
            family("maws_roles_map_age_seconds", "gauge", "Seconds since the maps served were loaded.")
            out += "maws_roles_map_age_seconds \(number(age.rounded()))\n"
        }
        if let age = gauges.keysAgeSeconds {
            family("maws_roles_jwks_age_seconds", "gauge", "Seconds since the identity provider's keys were fetched.")
            out += "maws_roles_jwks_age_seconds \(number(age.rounded()))\n"
        }
        return out
    }
}
