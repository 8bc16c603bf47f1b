#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What STS answered for an assumed role.
public struct AssumedRole: Sendable, Equatable {
    public var role: RoleARN
    public var credentials: AWSCredentials
    /// `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`.
    public var assumedRoleARN: String
    /// The duration that STS accepted, in seconds.
    public var durationSeconds: Int
}
