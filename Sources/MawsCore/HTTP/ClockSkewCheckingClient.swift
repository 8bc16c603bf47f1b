#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Wraps an HTTP client and compares each answer's `Date` header with the local clock. When they
/// are more than 5 minutes apart, it says so once: tokens would otherwise look expired or not yet
/// valid for no visible reason.
package final class ClockSkewCheckingClient: HTTPClient {
    private let base: HTTPClient
    private let diagnostics: Diagnostics
    private let warned = Locked(false)
    package static let tolerance: TimeInterval = 300

    package init(_ base: HTTPClient, diagnostics: Diagnostics) {
        self.base = base
        self.diagnostics = diagnostics
    }

    package func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let response = try base.send(request)
        if let header = response.headers["date"], let remote = HTTPDate.parse(header) {
            let skew = Date().timeIntervalSince(remote)
            if abs(skew) > Self.tolerance {
                let first = warned.withLock { warned in
                    defer { warned = true }
                    return !warned
                }
                if first {
                    let minutes = Int((abs(skew) / 60).rounded())
                    diagnostics.warning(
                        "this machine's clock is \(minutes) minutes \(skew > 0 ? "ahead of" : "behind") \(request.url.host)'s; "
                            + "tokens and credentials will look expired or not yet valid. Set the clock right (enable NTP)")
                }
            }
        }
        return response
    }
}
