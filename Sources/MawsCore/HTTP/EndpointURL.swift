#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An absolute http(s) URL that maws is willing to send credentials or tokens to:
/// HTTPS always, plain HTTP only to a loopback host (127.0.0.0/8, ::1, localhost).
package struct EndpointURL: Sendable, Equatable, CustomStringConvertible {
    package let string: String
    package let host: String
    /// `host[:port]`, as the Host header carries it.
    package let authority: String

    package var description: String { string }

    /// The path, "/" when the URL has none: what a signed request signs.
    package var path: String {
        URL(string: string).map { $0.path.isEmpty ? "/" : $0.path } ?? "/"
    }

    /// `plainHTTPAlsoTo`: hosts besides loopback that may be reached over plain HTTP (the
    /// link-local container credentials addresses).
    package init(validating text: String, plainHTTPAlsoTo allowed: Set<String> = []) throws(EndpointURLError) {
        // Foundation percent-encodes spaces and control characters, but maws keeps the text as
        // given (it goes into headers, messages and browsers), so they are refused outright.
        guard !text.unicodeScalars.contains(where: { $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            throw .notAbsolute(TerminalText.line(text))
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            let host = url.host, !host.isEmpty
        else {
            throw .notAbsolute(text)
        }
        guard url.user == nil, url.password == nil else {
            throw .containsCredentials
        }
        switch scheme {
        case "https":
            break
        case "http":
            guard Self.isLoopback(host: host) || allowed.contains(host.lowercased()) else { throw .insecure(text) }
        default:
            throw .unsupportedScheme(scheme)
        }
        self.string = text
        self.host = host
        let bracketed = host.contains(":") ? "[\(host)]" : host
        self.authority = url.port.map { "\(bracketed):\($0)" } ?? bracketed
    }

    package static func isLoopback(host: String) -> Bool {
        var name = host.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }
}

package enum EndpointURLError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAbsolute(String)
    case insecure(String)
    case unsupportedScheme(String)
    case containsCredentials

    package var description: String {
        switch self {
        case .notAbsolute(let text):
            return "'\(text)' is not an absolute http(s) URL"
        case .insecure(let text):
            return "'\(text)' uses plain http; HTTPS is required except for loopback hosts"
        case .unsupportedScheme(let scheme):
            return "URL scheme '\(scheme)' is not supported; use https"
        case .containsCredentials:
            return "the URL contains a user name or password; remove it"
        }
    }
}
