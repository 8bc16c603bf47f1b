#if DEBUG
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import MawsCore

/// The XML reader and what maws reads with it: STS and IAM Query API answers, their error
/// documents, the credentials in them and their ISO 8601 times.
enum XMLFuzz {
    static let target = FuzzTarget(
        "xml",
        "XML reading: nesting stays within the limit, a parsed tree serializes and "
            + "parses back equal; STS/IAM answers give complete credentials or an error; "
            + "ISO 8601 times format and parse back"
    ) { data in
        run(data)
    }

    static let role = try! RoleARN(parsing: "arn:aws:iam::123456789012:role/maws-fuzz")
    static let endpoint = try! EndpointURL(validating: "https://sts.amazonaws.com")

    static func run(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        switch Result(catching: { () throws(XMLError) in try XMLElement.parse(text) }) {
        case .failure(let error):
            require((0...text.utf8.count).contains(error.offset), "an XML error at offset \(error.offset) of \(text.utf8.count)")
        case .success(let root):
            require(depth(root) <= 64, "a document nested \(depth(root)) deep was read")
            if hasPlainNames(root) {
                let again = try? XMLElement.parse(serialize(root))
                require(again == root, "a parsed document does not parse back from its serialization")
            }
            forEachElement(root) { checkTime($0.text) }
        }

        // The Query API readers, as maws calls them on an HTTP answer: STS's on a success, the
        // shared one (IAM, STS for IAM users) on a refusal.
        let success = HTTPResponse(status: 200, headers: [:], body: Data(data))
        if let document = try? STSClient.parse(success, role: role, endpoint: endpoint) {
            for result in document.children {
                guard let credentials = try? STSClient.credentials(in: result) else { continue }
                require(
                    !credentials.accessKeyID.isEmpty && !credentials.secretAccessKey.isEmpty && !(credentials.sessionToken ?? "").isEmpty,
                    "credentials with an empty field were accepted")
                require(
                    AccessKeyCharacters.problem(
                        accessKeyID: credentials.accessKeyID, secret: credentials.secretAccessKey,
                        sessionToken: credentials.sessionToken) == nil, "credentials with a bad character were accepted")
            }
        }
        let refusal = HTTPResponse(status: 403, headers: [:], body: Data(data))
        require(
            (try? AWSQueryError.check(refusal, service: "iam", action: "ListRoles", endpoint: endpoint)) == nil,
            "an HTTP 403 answer was taken as a result")
    }

    /// An ISO 8601 time maws reads formats to a time it reads again as the same second.
    static func checkTime(_ text: String) {
        guard let date = ISO8601.parse(text) else { return }
        let formatted = ISO8601.format(date)
        require(
            ISO8601.parse(formatted) == Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)),
            "ISO 8601 '\(text)' formats as '\(formatted)', which does not read back")
    }

    static func depth(_ element: XMLElement) -> Int {
        1 + (element.children.map(depth).max() ?? 0)
    }

    static func forEachElement(_ element: XMLElement, _ body: (XMLElement) -> Void) {
        body(element)
        for child in element.children { forEachElement(child, body) }
    }

    /// Names the serialization below writes back unchanged (others, such as `a/b` or `!x`, are
    /// legal to this lenient reader but change meaning in a tag).
    static func hasPlainNames(_ element: XMLElement) -> Bool {
        !element.name.isEmpty
            && element.name.unicodeScalars.allSatisfy {
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)
            }
            && element.children.allSatisfy(hasPlainNames)
    }

    /// The element's text first, then its children: the reader joins an element's text pieces.
    static func serialize(_ element: XMLElement) -> String {
        var text = ""
        for scalar in element.text.unicodeScalars {
            switch scalar {
            case "&": text += "&amp;"
            case "<": text += "&lt;"
            case ">": text += "&gt;"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return "<\(element.name)>" + text + element.children.map(serialize).joined() + "</\(element.name)>"
    }
}
#endif
