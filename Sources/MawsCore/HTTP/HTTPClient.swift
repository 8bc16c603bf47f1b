#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Sends HTTP requests. The seam between maws's protocol code and the network, so a test can
/// hand the login flow another transport without touching the rest.
package protocol HTTPClient: Sendable {
    func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse
}

package enum HTTPError: MawsError, Equatable {
    case unavailable(String)
    case resolve(host: String)
    case connect(host: String, reason: String)
    case timeout(host: String, seconds: Int)
    case tls(host: String, reason: String)
    case responseTooLarge(host: String)
    case transfer(host: String, reason: String)

    package var description: String {
        switch self {
        case .unavailable(let reason):
            return "cannot make HTTP requests: \(reason)"
        case .resolve(let host):
            return "cannot resolve host \(host); check the URL in your maws config and your network"
        case .connect(let host, let reason):
            return "cannot connect to \(host) (\(reason)); check that the service is up and the URL in your maws config"
        case .timeout(let host, let seconds):
            return "\(host) did not answer within \(seconds) s; try again, or check your network"
        case .tls(let host, let reason):
            return "TLS with \(host) failed (\(reason)); check the system CA certificates and the URL"
        case .responseTooLarge(let host):
            return "\(host) sent an unexpectedly large response; refusing to read it"
        case .transfer(let host, let reason):
            return "request to \(host) failed: \(reason)"
        }
    }
}
