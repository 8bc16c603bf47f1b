#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads the JSON documents maws gets from files and services (discovery documents, key sets,
/// token responses, ID tokens, the roles API, the cache).
///
/// A document is refused before decoding when its arrays and objects nest deeper than
/// `maximumDepth`: no document maws reads needs more than a few levels, and decoding recursive
/// values (`JSONValue`) follows the nesting on the stack. Foundation gives up past 512 levels
/// itself, but only with "not valid JSON"; this says what is wrong.
package enum JSONReader {
    package static let maximumDepth = 64

    /// Throws `JSONReadError`. (Untyped: `catch JSONReadError.missingKey(...)` on a typed throw
    /// crashes the Swift 6.3 compiler.)
    package static func decode<Value: Decodable>(
        _ type: Value.Type, from bytes: some Collection<UInt8>,
        dates: JSONDecoder.DateDecodingStrategy? = nil
    ) throws -> Value {
        let data = Data(bytes)
        // JSON on the wire is UTF-8 (RFC 8259 §8.1). JSONDecoder would also take UTF-16, which the
        // depth scan below cannot read: such a document is refused, not decoded unchecked.
        guard String(validating: data, as: UTF8.self) != nil, !data.starts(with: [0xEF, 0xBB, 0xBF]), !data.contains(0) else {
            throw JSONReadError.invalid
        }
        if excessiveDepth(data) {
            throw JSONReadError.tooDeep(limit: maximumDepth)
        }
        let decoder = JSONDecoder()
        if let dates { decoder.dateDecodingStrategy = dates }
        do {
            return try decoder.decode(Value.self, from: data)
        } catch let error as DecodingError {
            throw JSONReadError(error)
        }
    }

    /// Whether arrays and objects nest deeper than the limit. Brackets inside strings do not count.
    static func excessiveDepth(_ data: Data) -> Bool {
        var depth = 0
        var inString = false
        var escaped = false
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maximumDepth { return true }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth = max(0, depth - 1)  // Stray closers must not buy room for deeper nesting.
            default:
                continue
            }
        }
        return false
    }
}

/// Why a JSON document could not be read, in words that never quote its content (it may hold tokens).
package enum JSONReadError: MawsError, Equatable {
    case tooDeep(limit: Int)
    /// A required member is absent: its name.
    case missingKey(String)
    /// A member has the wrong type: its path from the top, e.g. ["keys", "0", "n"].
    case wrongType(path: [String])
    case invalid

    init(_ error: DecodingError) {
        func names(_ path: [any CodingKey]) -> [String] { path.map { $0.intValue.map(String.init) ?? $0.stringValue } }
        switch error {
        case .keyNotFound(let key, _): self = .missingKey(key.stringValue)
        case .typeMismatch(_, let context), .valueNotFound(_, let context): self = .wrongType(path: names(context.codingPath))
        default: self = .invalid
        }
    }

    package var description: String {
        switch self {
        case .tooDeep(let limit): return "it nests arrays or objects deeper than \(limit) levels"
        case .missingKey(let key): return "it has no '\(key)'"
        case .wrongType(let path):
            return path.isEmpty ? "it is not the JSON expected" : "'\(path.joined(separator: "."))' has the wrong type"
        case .invalid: return "it is not valid JSON"
        }
    }
}
