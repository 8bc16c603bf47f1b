import CCurl

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The HTTP client maws uses for every request: libcurl's easy interface, one transfer at a time.
///
/// Redirects are not followed (the endpoints maws talks to answer directly, and a redirect must
/// never carry a token elsewhere), only http and https are allowed, and both timeouts apply. The
/// CA certificates and proxies are `network`'s, for every transfer.
package struct CurlHTTPClient: HTTPClient {
    package var network: NetworkSettings
    package var connectTimeout: Int
    package var totalTimeout: Int
    package var maximumResponseBytes: Int
    package var userAgent: String

    package init(
        network: NetworkSettings, connectTimeout: Int = 5, totalTimeout: Int = 15, maximumResponseBytes: Int = 4 << 20,
        userAgent: String = "maws/\(MawsVersion.current)"
    ) {
        self.network = network
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.maximumResponseBytes = maximumResponseBytes
        self.userAgent = userAgent
    }

    package func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        let curl = try LibCurl.shared()
        guard let handle = curl.takeHandle() else { throw .unavailable("curl_easy_init failed") }
        defer { curl.returnHandle(handle) }

        let sink = ResponseSink(limit: maximumResponseBytes)
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl.slistFreeAll(headerList) }
        for (name, value) in request.headers + [("Expect", "")] {
            headerList = curl.slistAppend(headerList, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }

        let setopt = curl.easySetopt
        var status = CURLE_OK
        func check(_ code: CURLcode) { if status == CURLE_OK { status = code } }
        // libcurl's own words for a failure ("SSL certificate problem: certificate has expired"),
        // more precise than curl_easy_strerror's for the code.
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let proxy = network.proxy(for: request.url)
        withExtendedLifetime(sink) {
            errorText.withUnsafeMutableBufferPointer {
                check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_ERRORBUFFER, $0.baseAddress))
            }
            // An empty proxy turns off libcurl's own reading of the proxy variables.
            check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_PROXY, proxy?.url ?? ""))
            if let bundle = network.caBundle {
                check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_CAINFO, bundle))
            }
            // Trust comes from one CA file: the configured bundle alone (a CA directory beside it
            // would widen what "trusting only the CA certificates in FILE" means), else libcurl's
            // built-in file. libcurl caches a store read from a file alone, for 24 hours, instead
            // of parsing the file again for every connection.
            if network.caBundle != nil || curl.builtInCAFile != nil {
                check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_CAPATH, nil))
            }
            check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_URL, request.url.string))
            check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_PROTOCOLS_STR, "http,https"))
            check(maws_curl_setopt_long(setopt, handle, CURLOPT_NOSIGNAL, 1))
            check(maws_curl_setopt_long(setopt, handle, CURLOPT_FOLLOWLOCATION, 0))
            check(maws_curl_setopt_long(setopt, handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeout * 1000))
            check(maws_curl_setopt_long(setopt, handle, CURLOPT_TIMEOUT_MS, totalTimeout * 1000))
            check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_USERAGENT, userAgent))
            check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_ACCEPT_ENCODING, ""))
            check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_HTTPHEADER, headerList))
            check(maws_curl_setopt_write_callback(setopt, handle, CURLOPT_WRITEFUNCTION, ResponseSink.bodyCallback))
            check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_WRITEDATA, sinkPointer))
            check(maws_curl_setopt_write_callback(setopt, handle, CURLOPT_HEADERFUNCTION, ResponseSink.headerCallback))
            check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_HEADERDATA, sinkPointer))
            if request.method != .get {
                let body = request.body ?? []
                check(maws_curl_setopt_long(setopt, handle, CURLOPT_POST, 1))
                // A PUT goes out as a POST with its method renamed: the same in-memory body, and
                // no chunked upload (S3 signs the exact length).
                if request.method != .post {
                    check(maws_curl_setopt_pointer(setopt, handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue))
                }
                check(maws_curl_setopt_offset(setopt, handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
                // COPYPOSTFIELDS copies the bytes, so the buffer need not outlive this call.
                body.withUnsafeBytes { buffer in
                    check(
                        maws_curl_setopt_pointer(
                            setopt, handle, CURLOPT_COPYPOSTFIELDS, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)))
                }
            }
            if status == CURLE_OK {
                status = curl.easyPerform(handle)
            }
        }

        let host = request.url.host
        guard status == CURLE_OK else {
            let detail = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let reason = TerminalText.line(
                detail.isEmpty ? curl.easyStrerror(status).map { String(cString: $0) } ?? "error \(status.rawValue)" : detail)
            switch status {
            case CURLE_COULDNT_RESOLVE_PROXY where proxy != nil:
                throw .proxy(proxy: proxy!.redacted, variable: proxy!.variable, reason: "cannot resolve its host name")
            case CURLE_COULDNT_CONNECT where proxy != nil:
                throw .proxy(proxy: proxy!.redacted, variable: proxy!.variable, reason: reason)
            case CURLE_SSL_CACERT_BADFILE where network.caBundle != nil:
                throw .caBundle(path: network.caBundle!, source: network.caBundleSource ?? "ca_bundle", reason: reason)
            case CURLE_COULDNT_RESOLVE_HOST: throw .resolve(host: host)
            case CURLE_COULDNT_CONNECT: throw .connect(host: host, reason: "connection refused or unreachable")
            case CURLE_OPERATION_TIMEDOUT: throw .timeout(host: host, seconds: totalTimeout)
            case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
                CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CIPHER:
                throw .tls(
                    host: host, reason: reason, trusting: network.caBundle.map { "\($0) (from \(network.caBundleSource ?? "ca_bundle"))" })
            case CURLE_WRITE_ERROR where sink.overflowed: throw .responseTooLarge(host: host)
            default: throw .transfer(host: host, reason: reason)
            }
        }
        var code = 0
        _ = maws_curl_getinfo_long(curl.easyGetinfo, handle, CURLINFO_RESPONSE_CODE, &code)
        return HTTPResponse(status: code, headers: sink.headers, body: Data(sink.body))
    }
}

/// Collects a transfer's headers and body from libcurl's callbacks.
private final class ResponseSink {
    let limit: Int
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var overflowed = false

    init(limit: Int) {
        self.limit = limit
    }

    static let bodyCallback: curl_write_callback = { data, size, count, context in
        let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        guard sink.body.count + length <= sink.limit else {
            sink.overflowed = true
            return 0
        }
        data!.withMemoryRebound(to: UInt8.self, capacity: length) {
            sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
        }
        return length
    }

    static let headerCallback: curl_write_callback = { data, size, count, context in
        let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
        let length = size * count
        let line = data!.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
        if line.hasPrefix("HTTP/") {
            sink.headers = [:]  // A new response (after a 1xx) starts a new header block.
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingLineWhitespace()
            sink.headers[name] = String(value.filter { !$0.isNewline })
        }
        return length
    }
}
