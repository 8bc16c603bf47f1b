import CCurl

/// libcurl, loaded on first use.
final class LibCurl: Sendable {
    let globalInit: maws_curl_global_init_fn
    let easyInit: maws_curl_easy_init_fn
    let easyPerform: maws_curl_easy_perform_fn
    let easyCleanup: maws_curl_easy_cleanup_fn
    let easyReset: maws_curl_easy_reset_fn
    let easyStrerror: maws_curl_easy_strerror_fn
    let slistAppend: maws_curl_slist_append_fn
    let slistFreeAll: maws_curl_slist_free_all_fn
    /// The CA file libcurl was built to trust (Debian: `/etc/ssl/certs/ca-certificates.crt`), if any.
    let builtInCAFile: String?
    // Variadic functions, called through the typed trampolines in CCurl/shim.h.
    nonisolated(unsafe) let easySetopt: UnsafeMutableRawPointer
    nonisolated(unsafe) let easyGetinfo: UnsafeMutableRawPointer

    private init(_ library: DynamicLibrary) throws(DynamicLibraryError) {
        globalInit = try library.function("curl_global_init", as: maws_curl_global_init_fn.self)
        easyInit = try library.function("curl_easy_init", as: maws_curl_easy_init_fn.self)
        easyPerform = try library.function("curl_easy_perform", as: maws_curl_easy_perform_fn.self)
        easyCleanup = try library.function("curl_easy_cleanup", as: maws_curl_easy_cleanup_fn.self)
        easyReset = try library.function("curl_easy_reset", as: maws_curl_easy_reset_fn.self)
        easyStrerror = try library.function("curl_easy_strerror", as: maws_curl_easy_strerror_fn.self)
        slistAppend = try library.function("curl_slist_append", as: maws_curl_slist_append_fn.self)
        slistFreeAll = try library.function("curl_slist_free_all", as: maws_curl_slist_free_all_fn.self)
        let versionInfo = try library.function("curl_version_info", as: maws_curl_version_info_fn.self)
        // `cainfo` exists from CURLVERSION_SEVENTH (7.70) on; `age` says what this libcurl fills in.
        let info = versionInfo(CURLVERSION_SEVENTH)?.pointee
        builtInCAFile = info.flatMap { $0.age.rawValue >= CURLVERSION_SEVENTH.rawValue ? $0.cainfo : nil }.map { String(cString: $0) }
        easySetopt = try library.address("curl_easy_setopt")
        easyGetinfo = try library.address("curl_easy_getinfo")
        // Runs once, from `loaded` below, before any other libcurl call.
        _ = globalInit(Int(CURL_GLOBAL_DEFAULT))
    }

    private static let loaded = SharedLibrary(candidates: ["libcurl.so.4", "libcurl.so", "libcurl.4.dylib"], functions: LibCurl.init)

    static func shared() throws(HTTPError) -> LibCurl {
        try loaded.functions(or: HTTPError.unavailable)
    }

    /// Easy handles between transfers. A handle keeps its connections and TLS sessions across
    /// `curl_easy_reset`, so the next request to the same host (a sign-in makes three to the IdP)
    /// reuses the connection instead of another TLS handshake. Each handle serves one transfer at
    /// a time; libcurl reuses a connection only for a request with the same TLS and proxy settings.
    private let idle = Locked<[UnsafeMutableRawPointer]>([])
    private static let maximumIdle = 8

    /// A handle with default options: an idle one, else a new one.
    func takeHandle() -> UnsafeMutableRawPointer? {
        idle.withLock { $0.popLast() } ?? easyInit()
    }

    /// Resets `handle` and keeps it for the next transfer (or cleans it up when enough are kept).
    func returnHandle(_ handle: UnsafeMutableRawPointer) {
        easyReset(handle)
        let kept = idle.withLock { handles in
            guard handles.count < Self.maximumIdle else { return false }
            handles.append(handle)
            return true
        }
        if !kept { easyCleanup(handle) }
    }
}
