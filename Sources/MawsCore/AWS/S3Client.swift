#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Whole-object reads and writes in S3, each conditional on the object's ETag, which is all the
/// organisation's maps need: replicas poll with `If-None-Match`, writers replace with `If-Match`
/// (or create with `If-None-Match: *`), so two writers never overwrite each other unseen.
///
/// Requests are signed with SigV4 as S3 wants it: the path is neither normalised nor encoded
/// twice, and every request carries the SHA-256 of its body in `x-amz-content-sha256`, signed
/// (never `UNSIGNED-PAYLOAD`, so a PUT's content cannot be swapped on the way).
package struct S3Client: Sendable {
    /// Where a request goes and the path it signs.
    struct Address {
        var url: EndpointURL
        var host: String
        var path: String
    }

    package enum Read: Sendable, Equatable {
        /// The object and its ETag (quotes included, as S3 sends it).
        case object(bytes: [UInt8], etag: String)
        /// The object still has the ETag given in `If-None-Match`.
        case notModified
        /// There is no such object.
        case missing
    }

    package enum WriteCondition: Sendable, Equatable {
        /// Replace the object only while it has this ETag.
        case ifMatch(String)
        /// Create the object only if it does not exist.
        case ifAbsent
    }

    package var environment: Environment
    package var http: HTTPClient
    /// The signing region (and the endpoint's, on AWS): `AWS_REGION`, `AWS_DEFAULT_REGION`, else us-east-1.
    package var region: String
    /// The credentials to sign with, asked for before each request (they may be refreshed).
    package var credentials: @Sendable () throws -> SigV4Signer.Credentials
    package var clock: @Sendable () -> Date

    package init(
        environment: Environment, http: HTTPClient, region: String? = nil,
        credentials: @escaping @Sendable () throws -> SigV4Signer.Credentials, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.environment = environment
        self.http = http
        self.region = region ?? STSEndpoint.region(environment)
        self.credentials = credentials
        self.clock = clock
    }

    package func get(_ location: S3Location, ifNoneMatch etag: String? = nil) throws -> Read {
        let response = try send("GET", location, headers: etag.map { [("If-None-Match", $0)] } ?? [], body: [])
        switch response.status {
        case 304: return .notModified
        case 404 where errorCode(response) != "NoSuchBucket": return .missing
        case 200..<300:
            guard let etag = response.headers["etag"], !etag.isEmpty else {
                throw S3Error.invalidResponse(location: location, reason: "no ETag header")
            }
            return .object(bytes: Array(response.body), etag: etag)
        default: throw failure(response, location: location, method: "GET")
        }
    }

    /// Writes `bytes` as the whole object and returns its new ETag; a failed condition throws
    /// `S3Error.preconditionFailed` (another writer got there first).
    @discardableResult
    package func put(_ location: S3Location, _ bytes: [UInt8], contentType: String, condition: WriteCondition?) throws -> String {
        var headers = [("Content-Type", contentType)]
        switch condition {
        case .ifMatch(let etag): headers.append(("If-Match", etag))
        case .ifAbsent: headers.append(("If-None-Match", "*"))
        case nil: break
        }
        let response = try send("PUT", location, headers: headers, body: bytes)
        switch response.status {
        case 200..<300:
            // The next conditional write needs it: without one, it could not be made safely.
            guard let etag = response.headers["etag"], !etag.isEmpty else {
                throw S3Error.invalidResponse(location: location, reason: "no ETag header after the PUT")
            }
            return etag
        // 409 ConditionalRequestConflict: a concurrent conditional write to the same key won.
        case 412:
            throw S3Error.preconditionFailed(location: location)
        case 409 where errorCode(response) == "ConditionalRequestConflict":
            throw S3Error.preconditionFailed(location: location)
        default: throw failure(response, location: location, method: "PUT")
        }
    }

    private func send(_ method: String, _ location: S3Location, headers: [(String, String)], body: [UInt8]) throws -> HTTPResponse {
        let address = try address(of: location)
        var signer = SigV4Signer(credentials: try credentials(), region: region, service: "s3")
        signer.normalizePath = false
        signer.addContentHashHeader = true
        let signed = [("Host", address.host)] + headers
        let signature = try signer.sign(.init(method: method, path: address.path, headers: signed, body: body), at: clock())
        // "Expect:" keeps libcurl from waiting for a 100 Continue before a large body.
        let request = HTTPRequest(
            method: method == "PUT" ? .put : .get, url: address.url,
            headers: headers + signature.headers + (method == "PUT" ? [("Expect", "")] : []),
            body: method == "PUT" ? body : nil)
        return try http.send(request)
    }

    /// Path-style at an endpoint set by `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (moto, MinIO,
    /// a VPC endpoint); else virtual-hosted at AWS, or path-style for a bucket with dots, whose
    /// name would not match S3's wildcard certificate.
    func address(of location: S3Location) throws -> Address {
        let key = location.key.split(separator: "/", omittingEmptySubsequences: false)
            .map { SigV4Signer.encode(String($0)) }.joined(separator: "/")
        let endpoint: EndpointURL?
        do {
            endpoint = try STSEndpoint.environmentOverride("S3", environment: environment)
        } catch {
            throw S3Error.invalidResponse(location: location, reason: error.description)
        }
        let base: String
        var path: String
        if let endpoint {
            base = endpoint.string.hasSuffix("/") ? String(endpoint.string.dropLast()) : endpoint.string
            path = "/\(location.bucket)/\(key)"
        } else if location.bucket.contains(".") {
            base = "https://s3.\(region).amazonaws.com"
            path = "/\(location.bucket)/\(key)"
        } else {
            base = "https://\(location.bucket).s3.\(region).amazonaws.com"
            path = "/\(key)"
        }
        let url: EndpointURL
        do {
            url = try EndpointURL(validating: base + path)
        } catch {
            throw S3Error.invalidResponse(location: location, reason: "cannot address it: \(error)")
        }
        // An endpoint with a path of its own (a gateway's prefix) signs that path too.
        if let prefix = URL(string: base)?.path, !prefix.isEmpty, prefix != "/" { path = prefix + path }
        return Address(url: url, host: url.authority, path: path)
    }

    private func errorCode(_ response: HTTPResponse) -> String? {
        (try? XMLElement.parse(String(decoding: response.body, as: UTF8.self)))?.child("Code")?.text
    }

    private func failure(_ response: HTTPResponse, location: S3Location, method: String) -> S3Error {
        // S3 answers a request signed for the wrong region with a redirect or a 400 naming the right one.
        if let actual = response.headers["x-amz-bucket-region"], actual != region,
            actual.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
        {
            return .wrongRegion(location: location, region: region, actual: actual)
        }
        guard let document = try? XMLElement.parse(String(decoding: response.body, as: UTF8.self)), document.name == "Error" else {
            return .httpStatus(location: location, method: method, status: response.status, snippet: response.bodySnippet)
        }
        return .service(
            location: location, method: method, status: response.status, code: document.child("Code")?.text ?? "Unknown",
            message: document.child("Message")?.text ?? "")
    }
}

package enum S3Error: MawsError, Equatable {
    case preconditionFailed(location: S3Location)
    case service(location: S3Location, method: String, status: Int, code: String, message: String)
    case httpStatus(location: S3Location, method: String, status: Int, snippet: String)
    case invalidResponse(location: S3Location, reason: String)
    case wrongRegion(location: S3Location, region: String, actual: String)

    package var description: String {
        switch self {
        case .preconditionFailed(let location):
            return "\(location) changed while it was being written (another writer won); read it again and retry"
        case .service(let location, let method, let status, let code, let message):
            let advice: String
            switch code {
            case "AccessDenied":
                advice =
                    method == "PUT"
                    ? "; allow s3:PutObject on it to these credentials"
                    : "; allow s3:GetObject on it, and s3:ListBucket on the bucket (without it a missing object is 403)"
            case "NoSuchBucket": advice = "; create the bucket or fix the address"
            case "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken": advice = "; check the AWS credentials"
            default: advice = ""
            }
            return "S3 \(method) \(location) failed (HTTP \(status) \(code)): \(TerminalText.line(message))\(advice)"
        case .httpStatus(let location, let method, let status, let snippet):
            return "S3 \(method) \(location) answered HTTP \(status)\(snippet.isEmpty ? "" : " (\(TerminalText.line(snippet)))"); "
                + (status >= 500 ? "try again in a moment" : "check the endpoint (AWS_ENDPOINT_URL_S3)")
        case .invalidResponse(let location, let reason):
            return "S3 sent an unusable answer for \(location): \(reason)"
        case .wrongRegion(let location, let region, let actual):
            return "the bucket of \(location) is in \(actual), not \(region); set AWS_REGION=\(actual)"
        }
    }
}
