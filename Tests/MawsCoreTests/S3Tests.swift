import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// S3's signing rules, against the worked examples of AWS's "Signature Calculations for the
/// Authorization Header" page (the same key and date as the vendored suite), and the client's
/// conditional reads and writes (moto's S3 checks them for real in Tests/integration/test_roles_s3.py).
@Suite struct S3SigningTests {
    static let keys = SigV4Signer.Credentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let date = ISO8601.parse("2013-05-24T00:00:00Z")!

    static func signer() -> SigV4Signer {
        var signer = SigV4Signer(credentials: keys, region: "us-east-1", service: "s3")
        signer.normalizePath = false
        signer.addContentHashHeader = true
        return signer
    }

    @Test func getObjectExample() throws {
        let signature = try Self.signer().sign(
            .init(method: "GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")]),
            at: Self.date)
        #expect(signature.canonicalRequest.hasSuffix("\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        #expect(signature.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObjectExampleSignsTheBodyHashAndEncodesThePathOnce() throws {
        let body = Array("Welcome to Amazon S3.".utf8)
        let signature = try Self.signer().sign(
            .init(
                method: "PUT", path: "/test$file.text",
                headers: [
                    ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                    ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
                ], body: body), at: Self.date)
        let lines = signature.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "/test%24file.text")
        #expect(lines.last == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(signature.headers.contains { $0.0 == "x-amz-content-sha256" && $0.1 == lines.last! })
        #expect(signature.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func locationsAreParsedStrictly() throws {
        let location = try S3Location(parsing: "s3://maws-maps/prod/group-role-map.json")
        #expect(location.bucket == "maws-maps" && location.key == "prod/group-role-map.json")
        for bad in [
            "s3://Maws/x", "s3://ab/x", "s3://bucket", "s3://bucket/", "s3://-bucket/x", "s3://bucket/a\nb", "/var/lib/x",
            "s3://bucket/a/../b",
            "s3://bucket/./x",
        ] {
            #expect(throws: S3LocationError.self) { try S3Location(parsing: bad) }
        }
    }
}

@Suite struct S3ClientTests {
    /// A transport that records requests and answers each with the next canned response.
    final class Recorder: HTTPClient, @unchecked Sendable {
        var requests: [HTTPRequest] = []
        var responses: [HTTPResponse]
        init(_ responses: [HTTPResponse]) { self.responses = responses }
        func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
            requests.append(request)
            return responses.removeFirst()
        }
    }

    static func client(_ http: Recorder, environment: [String: String] = [:]) -> S3Client {
        S3Client(
            environment: Environment(environment), http: http, region: "eu-west-1",
            credentials: { S3SigningTests.keys })
    }

    static let location = try! S3Location(parsing: "s3://maws-maps/prod/group role map.json")

    func header(_ request: HTTPRequest, _ name: String) -> String? {
        request.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    @Test func addressesAreVirtualHostedAtAWSAndPathStyleAtAnEndpoint() throws {
        let http = Recorder([HTTPResponse(status: 304)])
        #expect(try Self.client(http).get(Self.location, ifNoneMatch: "\"abc\"") == .notModified)
        #expect(http.requests[0].url.string == "https://maws-maps.s3.eu-west-1.amazonaws.com/prod/group%20role%20map.json")
        #expect(header(http.requests[0], "If-None-Match") == "\"abc\"")
        #expect(header(http.requests[0], "Authorization")?.contains("/eu-west-1/s3/aws4_request") == true)

        let local = Recorder([HTTPResponse(status: 404, body: Data("<Error><Code>NoSuchKey</Code></Error>".utf8))])
        #expect(try Self.client(local, environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000"]).get(Self.location) == .missing)
        #expect(local.requests[0].url.string == "http://127.0.0.1:5000/maws-maps/prod/group%20role%20map.json")

        let dotted = Recorder([HTTPResponse(status: 304)])
        _ = try Self.client(dotted).get(S3Location(bucket: "maps.example.com", key: "m.json"), ifNoneMatch: "\"x\"")
        #expect(dotted.requests[0].url.string == "https://s3.eu-west-1.amazonaws.com/maps.example.com/m.json")
    }

    @Test func aReadReturnsTheObjectWithItsETag() throws {
        let http = Recorder([HTTPResponse(status: 200, headers: ["etag": "\"e1\""], body: Data("{}".utf8))])
        #expect(try Self.client(http).get(Self.location) == .object(bytes: Array("{}".utf8), etag: "\"e1\""))
    }

    @Test func writesAreConditionalAndALostRaceIsItsOwnError() throws {
        let http = Recorder([
            HTTPResponse(status: 200, headers: ["etag": "\"e2\""]),
            HTTPResponse(status: 412, body: Data("<Error><Code>PreconditionFailed</Code></Error>".utf8)),
        ])
        let client = Self.client(http)
        #expect(try client.put(Self.location, Array("{}".utf8), contentType: "application/json", condition: .ifAbsent) == "\"e2\"")
        #expect(header(http.requests[0], "If-None-Match") == "*")
        #expect(http.requests[0].method == .put && http.requests[0].body == Array("{}".utf8))
        #expect(header(http.requests[0], "x-amz-content-sha256") == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(throws: S3Error.preconditionFailed(location: Self.location)) {
            try client.put(Self.location, Array("{}".utf8), contentType: "application/json", condition: .ifMatch("\"e2\""))
        }
        #expect(header(http.requests[1], "If-Match") == "\"e2\"")
    }

    @Test func errorsNameTheObjectAndWhatToDo() {
        let http = Recorder([
            HTTPResponse(status: 403, body: Data("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>".utf8))
        ])
        #expect(throws: S3Error.self) { try Self.client(http).get(Self.location) }
        let error = S3Error.service(location: Self.location, method: "GET", status: 403, code: "AccessDenied", message: "Access Denied")
        #expect(error.description.contains("s3://maws-maps/prod/group role map.json") && error.description.contains("s3:GetObject"))
    }
}
