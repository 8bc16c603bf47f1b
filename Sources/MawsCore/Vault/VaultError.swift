/// What can go wrong between maws and Vault. Messages name the Vault path and the setting to check;
/// Vault's own `errors` are quoted (one line each, shortened), never a token or the ID token.
package enum VaultError: MawsError, Equatable {
    /// `maws vault` without `vault_addr`.
    case notConfigured
    /// Vault answered `status` to the request for `path`, with its `errors`.
    case refused(path: String, status: Int, errors: [String])
    case invalidResponse(path: String, reason: String)
    /// New IAM user keys that AWS still refused after `seconds` (IAM is eventually consistent).
    case keysNotAccepted(seconds: Int, code: String)

    package var exitCode: Int32 {
        if case .notConfigured = self { return ExitStatus.usage }
        return ExitStatus.failure
    }

    package var description: String {
        switch self {
        case .notConfigured:
            return "maws vault needs vault_addr in the [maws] section of your maws config (the address of your Vault, "
                + "e.g. https://vault.example.com:8200)"
        case .refused(let path, let status, let errors):
            let said = errors.isEmpty ? "" : ": " + errors.joined(separator: "; ")
            return "Vault refused \(path) (HTTP \(status)\(said)); \(hint(path: path, status: status))"
        case .invalidResponse(let path, let reason):
            return "Vault's answer to \(path) is not what its API documents (\(reason)); check vault_addr"
        case .keysNotAccepted(let seconds, let code):
            return "AWS still refuses the IAM user keys Vault issued (\(code)) after \(seconds) s; "
                + "try again in a minute, or ask your Vault administrator to check the role"
        }
    }

    private func hint(path: String, status: Int) -> String {
        let login = path.hasPrefix("auth/") && path.hasSuffix("/login")
        switch status {
        case 400 where login:
            return "check vault_auth_role, and that the Vault role accepts ID tokens for maws's client_id from your identity provider"
        case 400:
            return "check the role name and vault_ttl with your Vault administrator"
        case 403 where login:
            return "check vault_auth_mount and vault_namespace"
        case 403:
            return "your Vault token's policies do not allow this; check the role name, or ask your Vault administrator"
        case 404:
            return "check vault_auth_mount, vault_aws_mount and vault_namespace in your maws config"
        case 429, 500...599:
            return "Vault is unavailable, sealed or overloaded; try again later"
        default:
            return "check vault_addr and your Vault settings"
        }
    }
}
