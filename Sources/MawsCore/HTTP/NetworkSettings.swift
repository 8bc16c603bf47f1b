/// Where maws's HTTPS requests go and whom they trust, read as the AWS CLI reads it.
///
/// - The CA certificates: `AWS_CA_BUNDLE`, else the config's `ca_bundle`, else the system's
///   (libcurl's default, which OpenSSL's `SSL_CERT_FILE` and `SSL_CERT_DIR` can point elsewhere).
/// - Proxies: `https_proxy`/`HTTPS_PROXY` for https URLs and `http_proxy`/`HTTP_PROXY` for http
///   ones, the lowercase name first as in Python's urllib (which botocore uses), and
///   `no_proxy`/`NO_PROXY` for the hosts to reach directly. Set here for every transfer, so
///   libcurl's own reading of the environment (which ignores `HTTP_PROXY`) does not apply.
package struct NetworkSettings: Sendable, Equatable {
    /// A PEM file of the CA certificates to trust instead of the system's.
    package var caBundle: String?
    /// Where the CA bundle setting came from, for error messages (`AWS_CA_BUNDLE`, a config file).
    package var caBundleSource: String?
    package var httpsProxy: Proxy?
    package var httpProxy: Proxy?
    /// Hosts (and domain suffixes, `*` for all) reached without a proxy, comma-separated.
    package var noProxy: String?

    /// The same settings without proxies: for endpoints that must be reached directly (the
    /// container credentials endpoint, which the AWS SDKs never reach through a proxy either).
    package var direct: NetworkSettings {
        var settings = self
        settings.httpsProxy = nil
        settings.httpProxy = nil
        return settings
    }

    /// A proxy and the variable that named it.
    package struct Proxy: Sendable, Equatable {
        package var url: String
        package var variable: String

        /// The proxy's address without any `user:password@`, for messages.
        package var redacted: String {
            guard let at = url.lastIndex(of: "@") else { return url }
            let afterAt = url[url.index(after: at)...]
            guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://"), colon < at else { return String(afterAt) }
            return url[..<colon] + "://" + afterAt
        }
    }

    package init(
        caBundle: String? = nil, caBundleSource: String? = nil, httpsProxy: Proxy? = nil, httpProxy: Proxy? = nil, noProxy: String? = nil
    ) {
        self.caBundle = caBundle
        self.caBundleSource = caBundleSource
        self.httpsProxy = httpsProxy
        self.httpProxy = httpProxy
        self.noProxy = noProxy
    }

    /// The settings of `environment`, with `configuredCABundle` (a path and where it was set)
    /// used when `AWS_CA_BUNDLE` is not set.
    package init(environment: Environment, configuredCABundle: (path: String, source: String)? = nil) {
        if let bundle = environment["AWS_CA_BUNDLE"] {
            caBundle = environment.expandingTilde(bundle)
            caBundleSource = "AWS_CA_BUNDLE"
        } else if let configured = configuredCABundle {
            caBundle = configured.path
            caBundleSource = configured.source
        }
        func proxy(_ names: String...) -> Proxy? {
            names.lazy.compactMap { name in environment[name].map { Proxy(url: $0, variable: name) } }.first
        }
        httpsProxy = proxy("https_proxy", "HTTPS_PROXY")
        httpProxy = proxy("http_proxy", "HTTP_PROXY")
        noProxy = environment["no_proxy"] ?? environment["NO_PROXY"]
    }

    /// The proxy for `url`, nil to connect directly (no proxy for its scheme, or a host that
    /// `noProxy` names).
    package func proxy(for url: EndpointURL) -> Proxy? {
        let proxy = url.string.lowercased().hasPrefix("https:") ? httpsProxy : httpProxy
        guard let proxy, !bypassesProxy(host: url.host) else { return nil }
        return proxy
    }

    /// Whether `noProxy` names `host`: `*`, the host itself, or a domain it is in (`example.com`
    /// and `.example.com` both cover `sts.example.com`), as curl and urllib match it.
    package func bypassesProxy(host: String) -> Bool {
        guard let noProxy else { return false }
        let host = host.lowercased().trimmingCharacters(in: "[]")
        for entry in noProxy.split(separator: ",") {
            var name = entry.trimmingLineWhitespace().lowercased()
            if name == "*" { return true }
            while name.hasPrefix(".") { name.removeFirst() }
            if name.isEmpty { continue }
            if host == name || host.hasSuffix("." + name) { return true }
        }
        return false
    }
}
