#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// AWS Signature Version 4 (the `Authorization` header form), over OpenSSL's SHA-256 and HMAC.
///
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
package struct SigV4Signer: Sendable {
    package struct Credentials: Sendable, Equatable {
        package var accessKeyID: String
        package var secretAccessKey: String
        package var sessionToken: String?

        package init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    /// A request to sign. `path` and query names and values are unencoded; the signer encodes them.
    package struct Request: Sendable {
        package var method: String
        package var path: String
        package var query: [(String, String)]
        package var headers: [(String, String)]
        package var body: [UInt8]

        package init(method: String, path: String, query: [(String, String)] = [], headers: [(String, String)], body: [UInt8] = []) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }
    }

    package struct Signature: Sendable {
        /// Headers to add to the request, `Authorization` last.
        package var headers: [(String, String)]
        package var canonicalRequest: String
        package var stringToSign: String
        package var signature: String
    }

    package var credentials: Credentials
    package var region: String
    package var service: String
    /// Remove `.`/`..` segments and repeated slashes from the path (every service but S3).
    package var normalizePath = true
    /// Add `x-amz-content-sha256` (S3 and the test suite's body-signing cases).
    package var addContentHashHeader = false
    /// Send `X-Amz-Security-Token` without signing it (a few services require this).
    package var omitSessionTokenFromSignature = false

    package init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    package func sign(_ request: Request, at date: Date) throws(CryptoError) -> Signature {
        let (amzDate, day) = Self.timestamps(date)
        let payloadHash = Hex.encode(try SHA256.hash(request.body))
        var added: [(String, String)] = [("X-Amz-Date", amzDate)]
        if addContentHashHeader { added.append(("x-amz-content-sha256", payloadHash)) }
        let token = credentials.sessionToken.map { ("X-Amz-Security-Token", $0) }
        if let token, !omitSessionTokenFromSignature { added.append(token) }

        let headers = Self.canonicalHeaders(request.headers + added)
        let core = try signCore(request, headers: headers, payloadHash: payloadHash, amzDate: amzDate, day: day)
        var result = added
        if let token, omitSessionTokenFromSignature { result.append(token) }
        result.append(
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(core.scope), "
                    + "SignedHeaders=\(core.signedHeaders), Signature=\(core.signature)"
            ))
        return Signature(
            headers: result, canonicalRequest: core.canonicalRequest, stringToSign: core.stringToSign,
            signature: core.signature)
    }

    private struct Core {
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
        var scope: String
        var signedHeaders: String
    }

    /// The canonical request, the string to sign and the signature (SigV4 §§1-4).
    private func signCore(
        _ request: Request, headers: [(name: String, value: String)],
        payloadHash: String, amzDate: String, day: String
    ) throws(CryptoError) -> Core {
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            request.method,
            Self.canonicalPath(request.path, normalize: normalizePath),
            Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n" + Hex.encode(try SHA256.hash(Array(canonicalRequest.utf8)))

        var key = try SHA256.hmac(key: Array("AWS4\(credentials.secretAccessKey)".utf8), message: Array(day.utf8))
        for part in [region, service, "aws4_request"] {
            key = try SHA256.hmac(key: key, message: Array(part.utf8))
        }
        let signature = Hex.encode(try SHA256.hmac(key: key, message: Array(stringToSign.utf8)))
        return Core(
            canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature, scope: scope,
            signedHeaders: signedHeaders)
    }

    /// `YYYYMMDDTHHMMSSZ` and `YYYYMMDD`, UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        let iso = ISO8601.format(date)  // 2015-08-30T12:36:00Z
        let compact = String(iso.filter { $0 != "-" && $0 != ":" })
        return (compact, String(compact.prefix(8)))
    }

    /// Lowercased names, sorted; values trimmed with inner runs of spaces collapsed; repeated
    /// names joined with commas in their original order.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let collapsed = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0.isNewline }).joined(separator: " ")
            merged[name.lowercased(), default: []].append(collapsed)
        }
        return merged.keys.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
            .map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    static func canonicalPath(_ path: String, normalize: Bool) -> String {
        guard normalize else {
            return path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }.joined(separator: "/")
        }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        let endsInDirectory = path.hasSuffix("/") || path.hasSuffix("/.") || path.hasSuffix("/..")
        let trailingSlash = endsInDirectory && !segments.isEmpty
        return "/" + segments.map { encode(String($0)) }.joined(separator: "/") + (trailingSlash ? "/" : "")
    }

    static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (encode($0.0), encode($0.1)) }
        // Sorted by name, then value, comparing the encoded bytes.
        let sorted = encoded.sorted { lhs, rhs in
            lhs.name == rhs.name
                ? Array(lhs.value.utf8).lexicographicallyPrecedes(rhs.value.utf8)
                : Array(lhs.name.utf8).lexicographicallyPrecedes(rhs.name.utf8)
        }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// RFC 3986 encoding of everything but the unreserved characters.
    static func encode(_ text: String) -> String {
        FormEncoding.percentEncode(text)
    }
}
