#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What maws holds in its cache, read without a network request (`maws status`): the sign-ins
/// (ID and refresh tokens) per identity provider, the role credentials, the MFA sessions, the
/// role credentials of IAM users, and Vault's tokens and credentials. Secrets stay where they are: only names and expiry times.
package struct Holdings: Sendable, Equatable {
    /// Written to JSON with times in ISO 8601 (`maws status --json`).
    package struct SignIn: Encodable, Sendable, Equatable {
        package var issuer: String
        package var subject: String
        package var email: String?
        package var idTokenExpires: Date
        package var refreshToken: Bool

        private enum CodingKeys: String, CodingKey { case issuer, subject, email, idTokenExpires, refreshToken }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(issuer, forKey: .issuer)
            try container.encode(subject, forKey: .subject)
            try container.encodeIfPresent(email, forKey: .email)
            try container.encode(ISO8601.format(idTokenExpires), forKey: .idTokenExpires)
            try container.encode(refreshToken, forKey: .refreshToken)
        }
    }

    /// Written to JSON with times in ISO 8601 (`maws status --json`).
    package struct Credentials: Encodable, Sendable, Equatable {
        /// The role ARN, or for an MFA session the IAM user's ARN.
        package var arn: String
        /// The identity they act as (an assumed-role ARN, or the user).
        package var actsAs: String
        package var expires: Date
        /// The IdP sign-in they came from (role credentials), or the AWS profile (IAM users).
        package var from: String

        private enum CodingKeys: String, CodingKey { case arn, actsAs, expires, from }

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(arn, forKey: .arn)
            try container.encode(actsAs, forKey: .actsAs)
            try container.encode(ISO8601.format(expires), forKey: .expires)
            try container.encode(from, forKey: .from)
        }
    }

    package var signIns: [SignIn]
    package var roleCredentials: [Credentials]
    package var mfaSessions: [Credentials]
    package var assumedRoles: [Credentials]
    /// Vault tokens: `arn` is the Vault (and namespace), `actsAs` the token's policies.
    package var vaultTokens: [Credentials]
    /// Credentials from Vault: `arn` is the Vault role, `actsAs` the ARN they act as.
    package var vaultCredentials: [Credentials]

    package init(
        signIns: [SignIn] = [], roleCredentials: [Credentials] = [], mfaSessions: [Credentials] = [], assumedRoles: [Credentials] = [],
        vaultTokens: [Credentials] = [], vaultCredentials: [Credentials] = []
    ) {
        self.signIns = signIns
        self.roleCredentials = roleCredentials
        self.mfaSessions = mfaSessions
        self.assumedRoles = assumedRoles
        self.vaultTokens = vaultTokens
        self.vaultCredentials = vaultCredentials
    }

    package init(cache: CacheDirectory) {
        signIns = cache.all(IDTokenEntry.self).map {
            SignIn(
                issuer: $0.issuer, subject: $0.claims.sub, email: $0.claims.email, idTokenExpires: $0.claims.exp,
                refreshToken: $0.refreshToken != nil)
        }
        roleCredentials = cache.all(CredentialsEntry.self).map {
            Credentials(arn: $0.role, actsAs: $0.assumedRoleARN, expires: $0.credentials.expiration, from: "\($0.subject) at \($0.issuer)")
        }
        mfaSessions = cache.all(MFASessionEntry.self).map {
            Credentials(
                arn: $0.arn, actsAs: $0.arn, expires: $0.credentials.expiration,
                from: $0.mfaSerial.map { "MFA device \($0)" } ?? "access key only")
        }
        assumedRoles = cache.all(AssumedRoleEntry.self).map {
            Credentials(arn: $0.role, actsAs: $0.assumedRoleARN, expires: $0.credentials.expiration, from: $0.key)
        }
        vaultTokens = cache.all(VaultTokenEntry.self).map {
            Credentials(
                arn: $0.address + ($0.namespace.isEmpty ? "" : " namespace \($0.namespace)"), actsAs: $0.policies.joined(separator: ", "),
                expires: $0.expiration, from: "\($0.subject) at \($0.issuer)")
        }
        vaultCredentials = cache.all(VaultCredentialsEntry.self).map {
            Credentials(
                arn: "\($0.awsMount)/\($0.vaultRole) at \($0.address)", actsAs: $0.role, expires: $0.credentials.expiration,
                from: "\($0.subject) at \($0.issuer)")
        }
    }

    /// Whether anything is still valid at `now`: an ID token or a refresh token to sign in
    /// with, or credentials that have not expired.
    package func holdsSomethingValid(at now: Date) -> Bool {
        signIns.contains { $0.idTokenExpires > now || $0.refreshToken }
            || (roleCredentials + mfaSessions + assumedRoles + vaultTokens + vaultCredentials).contains { $0.expires > now }
    }
}
