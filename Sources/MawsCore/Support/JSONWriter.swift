#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes JSON in the few formats maws uses; every `JSONEncoder` it needs is made here.
package enum JSONWriter {
    package enum Format: Sendable {
        /// `JSONEncoder`'s defaults: keys in the order the type encodes them, `/` written `\/`. For
        /// request bodies and documents made only to be read back.
        case plain
        /// Keys sorted, `/` written `\/`, dates as seconds since 1970: the cache's files.
        case cache
        /// One line, keys sorted, and `/` written as itself, as the AWS CLI and SDKs write it (secret
        /// keys and ARNs are full of slashes): what maws prints for AWS tools (`credential-process`,
        /// `boto`, `js`, `whoami`), the container endpoint, the roles API and its access log.
        case compact
        /// Indented, keys sorted, `/` as itself: files people read (the group-role map, maws's
        /// record of the profiles it wrote).
        case pretty
    }

    package static func encode<Value: Encodable>(_ value: Value, as format: Format = .plain) throws -> [UInt8] {
        Array(try encoder(format).encode(value))
    }

    /// The document in the `compact` format and a line break, for stdout.
    package static func line<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try encode(value, as: .compact), as: UTF8.self) + "\n"
    }

    private static func encoder(_ format: Format) -> JSONEncoder {
        switch format {
        case .plain: plain
        case .cache: cache
        case .compact: compact
        case .pretty: pretty
        }
    }

    private static let plain = JSONEncoder()
    private static let cache = make([.sortedKeys], dates: .secondsSince1970)
    private static let compact = make([.sortedKeys, .withoutEscapingSlashes])
    private static let pretty = make([.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])

    private static func make(
        _ formatting: JSONEncoder.OutputFormatting,
        dates: JSONEncoder.DateEncodingStrategy = .deferredToDate
    ) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        encoder.dateEncodingStrategy = dates
        return encoder
    }
}
