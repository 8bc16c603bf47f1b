#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Vault token from logging in with the ID token of (issuer, subject), for one Vault, namespace,
/// auth mount and role; used until 5 minutes before its lease ends.
package struct VaultTokenEntry: CacheEntry, Equatable {
    package var address: String
    package var namespace: String
    package var authMount: String
    package var authRole: String
    package var issuer: String
    package var subject: String
    package var clientToken: String
    package var accessor: String
    package var expiration: Date
    package var policies: [String]

    package struct Key: Equatable, Sendable {
        package var address: String
        /// "" for the root namespace.
        package var namespace: String
        package var authMount: String
        /// "" for the auth method's default role.
        package var authRole: String
        package var issuer: String
        package var subject: String

        package init(address: String, namespace: String, authMount: String, authRole: String, issuer: String, subject: String) {
            self.address = address
            self.namespace = namespace
            self.authMount = authMount
            self.authRole = authRole
            self.issuer = issuer
            self.subject = subject
        }
    }

    package init(key: Key, clientToken: String, accessor: String, expiration: Date, policies: [String]) {
        address = key.address
        namespace = key.namespace
        authMount = key.authMount
        authRole = key.authRole
        issuer = key.issuer
        subject = key.subject
        self.clientToken = clientToken
        self.accessor = accessor
        self.expiration = expiration
        self.policies = policies
    }

    package static let kind = CacheDirectory.Kind.vaultToken
    package var key: Key {
        Key(address: address, namespace: namespace, authMount: authMount, authRole: authRole, issuer: issuer, subject: subject)
    }
    package static func nameParts(of key: Key) -> [String] {
        [key.address, key.namespace, key.authMount, key.authRole, key.issuer, key.subject]
    }

    package func isUsable(at now: Date) -> Bool {
        expiration.timeIntervalSince(now) > credentialsMinimumRemaining
    }
}
