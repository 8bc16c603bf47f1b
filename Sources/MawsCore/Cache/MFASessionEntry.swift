#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An IAM user's session token (GetSessionToken), cached per MFA device (`mfa:SERIAL`) or, without
/// one, per access key (`key:ID`), so that every profile with that device shares one code.
package struct MFASessionEntry: CacheEntry {
    package var key: String
    package var mfaSerial: String?
    package var credentials: AWSCredentials
    package var account: String
    package var arn: String
    package var userID: String

    package static let kind = CacheDirectory.Kind.userSession
    package static func nameParts(of key: String) -> [String] { [key] }

    package func isUsable(at now: Date) -> Bool {
        credentials.expiration.timeIntervalSince(now) > credentialsMinimumRemaining
    }
}
