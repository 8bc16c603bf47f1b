#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    public var url: EndpointURL
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    public init(method: Method, url: EndpointURL, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func get(_ url: EndpointURL, accept: String = "application/json") -> HTTPRequest {
        HTTPRequest(method: .get, url: url, headers: [("Accept", accept)])
    }

    /// A POST with an `application/x-www-form-urlencoded` body: how tokens travel to the IdP and STS,
    /// so they never appear in a URL.
    public static func postForm(_ url: EndpointURL, _ fields: [(String, String)], accept: String = "application/json") -> HTTPRequest {
        HTTPRequest(method: .post, url: url,
                    headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", accept)],
                    body: Array(FormEncoding.encode(fields).utf8))
    }

    public static func postJSON(_ url: EndpointURL, _ body: Data) -> HTTPRequest {
        HTTPRequest(method: .post, url: url,
                    headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                    body: Array(body))
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields with lowercased names; a repeated field keeps its last value.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The start of the body as text, for error messages about unexpected answers.
    /// Only used for responses that failed to parse, which carry no credentials.
    public var bodySnippet: String {
        let text = String(decoding: body.prefix(160), as: UTF8.self)
        let flattened = text.map { $0.isNewline ? " " : $0 }
        return String(flattened) + (body.count > 160 ? "…" : "")
    }
}

/// Sends HTTP requests. The seam between maws's protocol code and the network, so a test can
/// hand the login flow another transport without touching the rest.
public protocol HTTPClient: Sendable {
    func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse
}

public enum HTTPError: MawsError, Equatable {
    case unavailable(String)
    case resolve(host: String)
    case connect(host: String, reason: String)
    case timeout(host: String, seconds: Int)
    case tls(host: String, reason: String)
    case responseTooLarge(host: String)
    case transfer(host: String, reason: String)

    public var description: String {
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
