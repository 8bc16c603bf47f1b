/// Failures of the OpenID Connect sign-in. Messages name the IdP host or endpoint, never a token.
package enum OIDCError: MawsError, Equatable {
    case discovery(url: String, reason: String)
    case issuerMismatch(issuer: String, wellKnownURL: String)
    case insecureEndpoint(name: String, reason: String)
    case pkceUnsupported(methods: [String])
    case keySet(url: String, reason: String)
    case noFreePort(ports: [UInt16])
    case listener(String)
    case timedOut(seconds: Int)
    case denied(error: String, description: String?)
    case tokenEndpoint(status: Int, error: String?, description: String?)
    case invalidTokenResponse(String)

    package var description: String {
        switch self {
        case .discovery(let url, let reason):
            return "cannot read the OIDC discovery document at \(url): \(reason); check well_known_url in your config"
        case .issuerMismatch(let issuer, let wellKnownURL):
            return
                "the discovery document's issuer '\(issuer)' does not match well_known_url \(wellKnownURL) (OpenID Connect Discovery §4.3); check well_known_url"
        case .insecureEndpoint(let name, let reason):
            return "the IdP's \(name) is not acceptable: \(reason)"
        case .pkceUnsupported(let methods):
            return
                "the IdP does not support PKCE with S256 (it lists \(methods.isEmpty ? "none" : methods.joined(separator: ", "))); maws requires it"
        case .keySet(let url, let reason):
            return "cannot read the IdP's signing keys at \(url): \(reason)"
        case .noFreePort(let ports):
            return
                "no port registered for the sign-in redirect is free on both 127.0.0.1 and [::1] (tried \(ports.map(String.init).joined(separator: ", "))); "
                + "find what holds them with `ss -ltnp`, stop it and retry"
        case .listener(let reason):
            return "cannot listen for the sign-in redirect: \(reason)"
        case .timedOut(let seconds):
            return "sign-in did not finish within \(seconds) s; run maws again (raise login_timeout in the config if you need longer)"
        case .denied(let error, let description):
            return "the identity provider refused the sign-in: \(error)\(description.map { " (\($0))" } ?? "")"
        case .tokenEndpoint(let status, let error, let description):
            let detail = [error, description].compactMap { $0 }.joined(separator: ": ")
            return
                "the IdP's token endpoint answered HTTP \(status)\(detail.isEmpty ? "" : " (\(detail))"); check client_id and that the IdP application allows this redirect URI and PKCE"
        case .invalidTokenResponse(let reason):
            return "the IdP's token response is unusable: \(reason)"
        }
    }
}
