#ifndef MAWS_CCURL_SHIM_H
#define MAWS_CCURL_SHIM_H

// libcurl's declarations, for types and constants only: nothing here links libcurl.
// MawsCore opens libcurl with dlopen on first use and calls it through these pointer types,
// which are derived from the real prototypes so they cannot drift from them.
#include <curl/curl.h>

#define MAWS_CURL_FN(name) typedef __typeof__(&name) maws_##name##_fn;
MAWS_CURL_FN(curl_global_init)
MAWS_CURL_FN(curl_easy_init)
MAWS_CURL_FN(curl_easy_perform)
MAWS_CURL_FN(curl_easy_cleanup)
MAWS_CURL_FN(curl_easy_reset)
MAWS_CURL_FN(curl_easy_strerror)
MAWS_CURL_FN(curl_slist_append)
MAWS_CURL_FN(curl_slist_free_all)
MAWS_CURL_FN(curl_version_info)
#undef MAWS_CURL_FN

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call through a pointer.
// These typed trampolines make the variadic call from C with the argument type each option expects.
typedef CURLcode (*maws_curl_variadic_fn)(CURL *, int, ...);

static inline CURLcode maws_curl_setopt_long(void *fn, CURL *handle, CURLoption option, long value) {
    return ((maws_curl_variadic_fn)fn)(handle, (int)option, value);
}

static inline CURLcode maws_curl_setopt_pointer(void *fn, CURL *handle, CURLoption option, const void *value) {
    return ((maws_curl_variadic_fn)fn)(handle, (int)option, value);
}

static inline CURLcode maws_curl_setopt_offset(void *fn, CURL *handle, CURLoption option, curl_off_t value) {
    return ((maws_curl_variadic_fn)fn)(handle, (int)option, value);
}

static inline CURLcode maws_curl_setopt_write_callback(void *fn, CURL *handle, CURLoption option, curl_write_callback value) {
    return ((maws_curl_variadic_fn)fn)(handle, (int)option, value);
}

static inline CURLcode maws_curl_getinfo_long(void *fn, CURL *handle, CURLINFO info, long *value) {
    return ((maws_curl_variadic_fn)fn)(handle, (int)info, value);
}

#endif
