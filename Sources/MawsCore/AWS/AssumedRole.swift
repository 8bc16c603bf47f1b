#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What STS answered for an assumed role.
package struct AssumedRole: Sendable, Equatable {
    package var role: RoleARN
    package var credentials: AWSCredentials
    /// `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`.
    package var assumedRoleARN: String
    /// The duration that STS accepted, in seconds.
    package var durationSeconds: Int
}
