#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

package struct HTTPRequest: Sendable {
    package enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
    }

    package var method: Method
    package var url: EndpointURL
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]?

    package init(method: Method, url: EndpointURL, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    package static func get(_ url: EndpointURL, accept: String = "application/json") -> HTTPRequest {
        HTTPRequest(method: .get, url: url, headers: [("Accept", accept)])
    }

    /// A POST with an `application/x-www-form-urlencoded` body: how tokens travel to the IdP and STS,
    /// so they never appear in a URL.
    package static func postForm(_ url: EndpointURL, _ fields: [(String, String)], accept: String = "application/json") -> HTTPRequest {
        HTTPRequest(
            method: .post, url: url,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", accept)],
            body: Array(FormEncoding.encode(fields).utf8))
    }

    package static func postJSON(_ url: EndpointURL, _ body: [UInt8]) -> HTTPRequest {
        HTTPRequest(
            method: .post, url: url,
            headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
            body: body)
    }
}
