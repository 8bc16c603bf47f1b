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
    /// The TLS handshake failed: the certificate did not verify, or no common protocol.
    /// `trusting` names the CA bundle in use and where it was set, when not the system's.
    case tls(host: String, reason: String, trusting: String? = nil)
    /// The proxy named by `variable` could not be reached.
    case proxy(proxy: String, variable: String, reason: String)
    /// The CA bundle named by `source` cannot be used.
    case caBundle(path: String, source: String, reason: String)
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
        case .tls(let host, let reason, let trusting):
            if let trusting {
                return "TLS with \(host) failed (\(reason)), trusting only the CA certificates in \(trusting); "
                    + "check that file and the URL"
            }
            return "TLS with \(host) failed (\(reason)); check the URL, or for a private CA name its certificate "
                + "in AWS_CA_BUNDLE or the config's ca_bundle"
        case .proxy(let proxy, let variable, let reason):
            return "cannot connect through the proxy \(proxy) (from \(variable)): \(reason); check the proxy, "
                + "or leave the host out with NO_PROXY"
        case .caBundle(let path, let source, let reason):
            return "cannot use the CA bundle \(path) (from \(source)): \(reason); point \(source) at a PEM file of CA certificates"
        case .responseTooLarge(let host):
            return "\(host) sent an unexpectedly large response; refusing to read it"
        case .transfer(let host, let reason):
            return "request to \(host) failed: \(reason)"
        }
    }
}
