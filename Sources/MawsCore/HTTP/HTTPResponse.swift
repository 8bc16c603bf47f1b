#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

package struct HTTPResponse: Sendable {
    package var status: Int
    /// Header fields with lowercased names; a repeated field keeps its last value.
    package var headers: [String: String]
    package var body: Data

    package init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package var isSuccess: Bool { (200..<300).contains(status) }

    /// The start of the body as text, for error messages about unexpected answers.
    /// Only used for responses that failed to parse, which carry no credentials.
    package var bodySnippet: String {
        let text = String(decoding: body.prefix(160), as: UTF8.self)
        let flattened = text.map { $0.isNewline ? " " : $0 }
        return String(flattened) + (body.count > 160 ? "…" : "")
    }
}
