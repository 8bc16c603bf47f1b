#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
