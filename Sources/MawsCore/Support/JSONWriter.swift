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

    /// A flat object's member value, for `compactLine`.
    package enum FlatValue: Sendable, Equatable {
        case string(String)
        case integer(Int)
    }

    /// A flat object in the `compact` format and a line break, written without `JSONEncoder`:
    /// what maws prints on its warm path (`boto`, `js`, `credential-process`), where the encoder's
    /// generic machinery would cost more than the rest of the run. `members` must come in the
    /// `compact` format's key order (sorted); a unit test holds the two writers to the same bytes.
    package static func compactLine(_ members: [(String, FlatValue)]) -> String {
        var utf8: [UInt8] = [UInt8(ascii: "{")]
        for (index, (key, value)) in members.enumerated() {
            if index > 0 { utf8.append(UInt8(ascii: ",")) }
            appendQuoted(key, to: &utf8)
            utf8.append(UInt8(ascii: ":"))
            switch value {
            case .string(let string): appendQuoted(string, to: &utf8)
            case .integer(let number): utf8 += String(number).utf8
            }
        }
        utf8 += "}\n".utf8
        return String(decoding: utf8, as: UTF8.self)
    }

    /// `string` as a JSON string the way `JSONEncoder` writes it with `.withoutEscapingSlashes`:
    /// `"` and `\` escaped, control characters as `\b \f \n \r \t` or `\u00XX`, the rest as is.
    /// Works on the UTF-8 bytes: every byte that needs escaping is ASCII, and the bytes of a
    /// multi-byte character are all 0x80 or above, so they are copied through.
    static func appendQuoted(_ string: String, to utf8: inout [UInt8]) {
        utf8.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): utf8 += "\\\"".utf8
            case UInt8(ascii: "\\"): utf8 += "\\\\".utf8
            case 0x08: utf8 += "\\b".utf8
            case 0x0C: utf8 += "\\f".utf8
            case UInt8(ascii: "\n"): utf8 += "\\n".utf8
            case UInt8(ascii: "\r"): utf8 += "\\r".utf8
            case UInt8(ascii: "\t"): utf8 += "\\t".utf8
            case 0x00...0x1F:
                let hex = Array("0123456789abcdef".utf8)
                utf8 += "\\u00".utf8
                utf8 += [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: utf8.append(byte)
            }
        }
        utf8.append(UInt8(ascii: "\""))
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
