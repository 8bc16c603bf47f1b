/// An IAM role ARN, `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
package struct RoleARN: Sendable, Hashable, Comparable, CustomStringConvertible {
    package let partition: String
    package let accountID: String
    /// The resource after `role/`: the path (if any) and the name.
    package let resource: String

    package var name: String { String(resource.split(separator: "/").last ?? Substring(resource)) }
    package var description: String { "arn:\(partition):iam::\(accountID):role/\(resource)" }

    package init(parsing text: String) throws(RoleARNError) {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", fields[2] == "iam", fields[3].isEmpty else {
            throw RoleARNError(text: text, reason: "expected arn:PARTITION:iam::ACCOUNT:role/NAME")
        }
        let partition = fields[1]
        guard !partition.isEmpty, partition.allSatisfy({ $0.isASCII && ($0.isLowercase || $0 == "-") }) else {
            throw RoleARNError(text: text, reason: "'\(partition)' is not an AWS partition (aws, aws-cn, aws-us-gov, ...)")
        }
        guard fields[4].count == 12, fields[4].allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw RoleARNError(text: text, reason: "the account id must be 12 digits")
        }
        guard fields[5].hasPrefix("role/") else {
            throw RoleARNError(text: text, reason: "it is not a role (the resource must start with role/)")
        }
        let resource = fields[5].dropFirst("role/".count)
        let segments = resource.split(separator: "/", omittingEmptySubsequences: false)
        guard let name = segments.last, (1...64).contains(name.count), resource.count <= 512,
            segments.allSatisfy({ !$0.isEmpty }),
            resource.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_+=,.@-/".contains($0)) })
        else {
            throw RoleARNError(text: text, reason: "the role name must be 1-64 characters of letters, digits and _+=,.@-")
        }
        self.partition = String(partition)
        self.accountID = String(fields[4])
        self.resource = String(resource)
    }

    package static func < (lhs: RoleARN, rhs: RoleARN) -> Bool {
        (lhs.accountID, lhs.resource) < (rhs.accountID, rhs.resource)
    }
}

package struct RoleARNError: MawsError, Equatable {
    package var text: String
    package var reason: String

    package var exitCode: Int32 { ExitStatus.usage }
    package var description: String { "invalid role ARN '\(text)': \(reason)" }
}
