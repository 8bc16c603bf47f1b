#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// AWS credentials that expire: STS's (with a session token), or an IAM user's keys that Vault
/// issued for a lease (no session token; Vault deletes the user when the lease ends).
package struct AWSCredentials: Codable, Sendable, Equatable {
    package var accessKeyID: String
    package var secretAccessKey: String
    package var sessionToken: String?
    package var expiration: Date

    package init(accessKeyID: String, secretAccessKey: String, sessionToken: String?, expiration: Date) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }
}

extension AWSCredentials {
    package var signing: SigV4Signer.Credentials {
        SigV4Signer.Credentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken)
    }
}
