/// STS failures, with what the person can do about each.
package enum STSError: MawsError, Equatable {
    case durationTooLong(message: String)
    case accessDenied(role: String, message: String)
    case packedPolicyTooLarge(message: String)
    case invalidIdentityToken(message: String)
    case expiredToken(message: String)
    case service(code: String, message: String, status: Int)
    /// A status without an AWS error document (a proxy's or load balancer's page).
    case httpStatus(endpoint: String, status: Int, snippet: String)
    case invalidResponse(String)

    package var description: String {
        switch self {
        case .durationTooLong(let message):
            return "STS refused every session duration down to 900 s: \(message)"
        case .accessDenied(let role, let message):
            return "AWS denied assuming \(role): \(message). Your groups may not be allowed this role, "
                + "or the role map the roles API uses is stale; check the role's trust policy or ask its owner"
        case .packedPolicyTooLarge(let message):
            return "AWS rejected the sign-in because your group list (the amr claim) is too large for a session (\(message)); "
                + "ask your IdP administrators to send only the groups that AWS roles use"
        case .invalidIdentityToken(let message):
            return
                "AWS rejected the ID token: \(message). Check that the account has an IAM OIDC provider for this issuer with client_id as its audience"
        case .expiredToken(let message):
            return "AWS says the ID token has expired: \(message); sign in again (and check this machine's clock)"
        case .service(let code, let message, let status):
            return "STS answered HTTP \(status) \(code): \(message)"
        case .httpStatus(let endpoint, let status, let snippet):
            return "STS at \(endpoint) answered HTTP \(status)\(snippet.isEmpty ? "" : " (\(snippet))"); "
                + (status >= 500 ? "try again in a moment, or check sts_endpoint" : "check sts_endpoint")
        case .invalidResponse(let reason):
            return "STS sent an unusable answer: \(reason); check sts_endpoint"
        }
    }
}
