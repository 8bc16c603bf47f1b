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
