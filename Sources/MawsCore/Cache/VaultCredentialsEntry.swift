#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// AWS credentials that Vault's AWS secrets engine issued for a role to the person of (issuer,
/// subject), reused until 5 minutes before they expire. For an IAM user's keys that is when their
/// lease ends or the Vault token that made them does (Vault then revokes the lease).
package struct VaultCredentialsEntry: CacheEntry, Equatable {
    package var address: String
    package var namespace: String
    package var awsMount: String
    package var vaultRole: String
    /// The `ttl` asked for, in seconds; 0 for the role's default.
    package var ttl: Int
    package var issuer: String
    package var subject: String
    package var credentials: AWSCredentials
    package var accountID: String
    /// The ARN the credentials act as (from GetCallerIdentity). Named `role` in the file, as in the
    /// other credential entries, so that logout finds them by a written profile's record.
    package var role: String
    package var leaseID: String
    /// The accessor of the Vault token the lease belongs to (never the token itself).
    package var tokenAccessor: String

    package struct Key: Equatable, Sendable {
        package var address: String
        package var namespace: String
        package var awsMount: String
        package var vaultRole: String
        package var ttl: Int
        package var issuer: String
        package var subject: String

        package init(
            address: String, namespace: String, awsMount: String, vaultRole: String, ttl: Int, issuer: String, subject: String
        ) {
            self.address = address
            self.namespace = namespace
            self.awsMount = awsMount
            self.vaultRole = vaultRole
            self.ttl = ttl
            self.issuer = issuer
            self.subject = subject
        }
    }

    package init(
        key: Key, credentials: AWSCredentials, accountID: String, role: String, leaseID: String, tokenAccessor: String
    ) {
        address = key.address
        namespace = key.namespace
        awsMount = key.awsMount
        vaultRole = key.vaultRole
        ttl = key.ttl
        issuer = key.issuer
        subject = key.subject
        self.credentials = credentials
        self.accountID = accountID
        self.role = role
        self.leaseID = leaseID
        self.tokenAccessor = tokenAccessor
    }

    package static let kind = CacheDirectory.Kind.vaultCredentials
    package var key: Key {
        Key(address: address, namespace: namespace, awsMount: awsMount, vaultRole: vaultRole, ttl: ttl, issuer: issuer, subject: subject)
    }
    package static func nameParts(of key: Key) -> [String] {
        [key.address, key.namespace, key.awsMount, key.vaultRole, String(key.ttl), key.issuer, key.subject]
    }

    package func isUsable(at now: Date) -> Bool {
        credentials.expiration.timeIntervalSince(now) > credentialsMinimumRemaining
    }
}
