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
        var text = "{"
        for (index, (key, value)) in members.enumerated() {
            if index > 0 { text += "," }
            appendQuoted(key, to: &text)
            text += ":"
            switch value {
            case .string(let string): appendQuoted(string, to: &text)
            case .integer(let number): text += String(number)
            }
        }
        return text + "}\n"
    }

    /// `string` as a JSON string the way `JSONEncoder` writes it with `.withoutEscapingSlashes`:
    /// `"` and `\` escaped, control characters as `\b \f \n \r \t` or `\u00XX`, the rest as is.
    static func appendQuoted(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
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
