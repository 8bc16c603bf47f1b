import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The AWS SigV4 test vectors (aws-c-auth's suite, Apache-2.0, vendored in Tests/Fixtures).
@Suite struct SigV4SuiteTests {
    static let suite = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/sigv4-test-suite")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: suite.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: suite.appendingPathComponent("\($0)/context.json").path) }
            .sorted()
    }

    struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }
        var credentials: Credentials
        var region: String
        var service: String
        var timestamp: String
        var normalize: Bool
        var sign_body: Bool
        var omit_session_token: Bool?
    }

    static func read(_ name: String, _ file: String) throws -> String {
        try String(contentsOf: suite.appendingPathComponent("\(name)/\(file)"), encoding: .utf8)
    }

    /// Parses a request.txt: request line, header lines (indented lines continue a value), body.
    static func request(_ text: String) -> SigV4Signer.Request {
        let lines = MawsCore.lines(of: text)
        let requestLine = lines[0].split(separator: " ")
        let target = requestLine.dropFirst().dropLast().joined(separator: " ")
        let path = String(target.prefix { $0 != "?" })
        let query = target.contains("?") ? FormEncoding.decode(target.drop { $0 != "?" }.dropFirst()) ?? [] : []
        var headers: [(String, String)] = []
        var index = 1
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            if line.first == " " || line.first == "\t" {
                headers[headers.count - 1].1 += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
            index += 1
        }
        let body = lines.count > index + 1 ? lines[(index + 1)...].joined(separator: "\n") : ""
        return SigV4Signer.Request(method: String(requestLine[0]), path: path, query: query, headers: headers, body: Array(body.utf8))
    }

    @Test func theSuiteIsThere() {
        #expect(Self.cases.count >= 35)
    }

    func signer(_ context: Context) -> SigV4Signer {
        var signer = SigV4Signer(
            credentials: .init(
                accessKeyID: context.credentials.access_key_id,
                secretAccessKey: context.credentials.secret_access_key,
                sessionToken: context.credentials.token),
            region: context.region, service: context.service)
        signer.normalizePath = context.normalize
        signer.addContentHashHeader = context.sign_body
        signer.omitSessionTokenFromSignature = context.omit_session_token ?? false
        return signer
    }

    @Test(arguments: cases)
    func headerSigning(name: String) throws {
        let context = try JSONDecoder().decode(Context.self, from: Data(try Self.read(name, "context.json").utf8))
        let signature = try signer(context).sign(
            Self.request(try Self.read(name, "request.txt")),
            at: try #require(ISO8601.parse(context.timestamp)))
        #expect(signature.canonicalRequest == (try Self.read(name, "header-canonical-request.txt")))
        #expect(signature.stringToSign == (try Self.read(name, "header-string-to-sign.txt")))
        #expect(signature.signature == (try Self.read(name, "header-signature.txt")))
    }
}
