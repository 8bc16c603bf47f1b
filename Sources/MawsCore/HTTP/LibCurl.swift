import CCurl

/// libcurl, loaded on first use.
final class LibCurl: Sendable {
    let globalInit: maws_curl_global_init_fn
    let easyInit: maws_curl_easy_init_fn
    let easyPerform: maws_curl_easy_perform_fn
    let easyCleanup: maws_curl_easy_cleanup_fn
    let easyStrerror: maws_curl_easy_strerror_fn
    let slistAppend: maws_curl_slist_append_fn
    let slistFreeAll: maws_curl_slist_free_all_fn
    // Variadic functions, called through the typed trampolines in CCurl/shim.h.
    nonisolated(unsafe) let easySetopt: UnsafeMutableRawPointer
    nonisolated(unsafe) let easyGetinfo: UnsafeMutableRawPointer

    private init(_ library: DynamicLibrary) throws(DynamicLibraryError) {
        globalInit = try library.function("curl_global_init", as: maws_curl_global_init_fn.self)
        easyInit = try library.function("curl_easy_init", as: maws_curl_easy_init_fn.self)
        easyPerform = try library.function("curl_easy_perform", as: maws_curl_easy_perform_fn.self)
        easyCleanup = try library.function("curl_easy_cleanup", as: maws_curl_easy_cleanup_fn.self)
        easyStrerror = try library.function("curl_easy_strerror", as: maws_curl_easy_strerror_fn.self)
        slistAppend = try library.function("curl_slist_append", as: maws_curl_slist_append_fn.self)
        slistFreeAll = try library.function("curl_slist_free_all", as: maws_curl_slist_free_all_fn.self)
        easySetopt = try library.address("curl_easy_setopt")
        easyGetinfo = try library.address("curl_easy_getinfo")
        // Runs once, from `loaded` below, before any other libcurl call.
        _ = globalInit(Int(CURL_GLOBAL_DEFAULT))
    }

    private static let loaded = SharedLibrary(candidates: ["libcurl.so.4", "libcurl.so", "libcurl.4.dylib"], functions: LibCurl.init)

    static func shared() throws(HTTPError) -> LibCurl {
        try loaded.functions(or: HTTPError.unavailable)
    }
}
