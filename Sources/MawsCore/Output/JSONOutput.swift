#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// JSON as maws prints it for AWS tools (`credential-process`, `boto`, `js`, `whoami`, the
/// container endpoint): one line, keys sorted, and `/` written as itself, as the AWS CLI and SDKs
/// write it (secret keys and ARNs are full of slashes).
package enum JSONOutput {
    package static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }

    /// The document and a line break, for stdout.
    package static func line<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try encode(value), as: UTF8.self) + "\n"
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
