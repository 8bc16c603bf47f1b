/// Parses a JSON document (RFC 8259) into a `JSONValue` without `Codable`.
///
/// The cached-credentials path reads two cache files per run. `JSONDecoder`'s generic machinery
/// costs more there than the rest of the run, most of it runtime type lookups, so those files are
/// read with this parser instead. It takes what `JSONReader` takes: UTF-8 without a byte order
/// mark, nesting at most `JSONReader.maximumDepth` deep, one value with only whitespace around it,
/// and JSONDecoder's two liberties: one trailing comma, and the first of duplicate keys.
package struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    package static func parse(_ bytes: [UInt8]) throws(JSONReadError) -> JSONValue {
        guard String(validating: bytes, as: UTF8.self) != nil, !bytes.starts(with: [0xEF, 0xBB, 0xBF]) else {
            throw .invalid
        }
        var parser = JSONParser(bytes)
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw .invalid }
        return value
    }

    private mutating func value() throws(JSONReadError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw .invalid }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return .number(try number())
        }
    }

    private mutating func object() throws(JSONReadError) -> JSONValue {
        try enter()
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if consume(UInt8(ascii: "}")) {
            depth -= 1
            return .object(members)
        }
        repeat {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw .invalid }
            let key = try string()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw .invalid }
            let member = try value()
            if members[key] == nil { members[key] = member }  // As JSONDecoder: the first of duplicates.
            skipWhitespace()
        } while consume(UInt8(ascii: ",")) && !closes(UInt8(ascii: "}"))
        guard consume(UInt8(ascii: "}")) else { throw .invalid }
        depth -= 1
        return .object(members)
    }

    private mutating func array() throws(JSONReadError) -> JSONValue {
        try enter()
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) {
            depth -= 1
            return .array(elements)
        }
        repeat {
            elements.append(try value())
            skipWhitespace()
        } while consume(UInt8(ascii: ",")) && !closes(UInt8(ascii: "]"))
        guard consume(UInt8(ascii: "]")) else { throw .invalid }
        depth -= 1
        return .array(elements)
    }

    /// Steps past `{` or `[`, one level deeper.
    private mutating func enter() throws(JSONReadError) {
        index += 1
        depth += 1
        guard depth <= JSONReader.maximumDepth else { throw .tooDeep(limit: JSONReader.maximumDepth) }
    }

    private mutating func string() throws(JSONReadError) -> String {
        index += 1  // The opening quote.
        let start = index
        // The common case, a string without escapes, is one slice of the (valid UTF-8) document.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: bytes[start..<index - 1], as: UTF8.self)
            }
            guard byte >= 0x20 else { throw .invalid }  // Control characters must be escaped.
            if byte == UInt8(ascii: "\\") { break }
            index += 1
        }
        var utf8 = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            }
            guard byte >= 0x20 else { throw .invalid }
            index += 1
            if byte == UInt8(ascii: "\\") {
                utf8.append(contentsOf: UTF8.encode(try escape())!)
            } else {
                utf8.append(byte)
            }
        }
        throw .invalid
    }

    private mutating func escape() throws(JSONReadError) -> Unicode.Scalar {
        guard index < bytes.count else { throw .invalid }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hexUnit()
            if (0xD800..<0xDC00).contains(unit) {
                // A high surrogate must be followed by an escaped low one.
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else { throw .invalid }
                let low = try hexUnit()
                guard (0xDC00..<0xE000).contains(low) else { throw .invalid }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(unit) else { throw .invalid }  // A lone low surrogate.
            return scalar
        default:
            throw .invalid
        }
    }

    private mutating func hexUnit() throws(JSONReadError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw .invalid }
        var unit: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw .invalid
            }
            unit = unit << 4 | UInt32(digit)
        }
        index += 4
        return unit
    }

    /// A number as RFC 8259 §6 writes it: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() throws(JSONReadError) -> Double {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        if !consume(UInt8(ascii: "0")) {
            guard digits() > 0 else { throw .invalid }
        }
        if consume(UInt8(ascii: ".")) {
            guard digits() > 0 else { throw .invalid }
        }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard digits() > 0 else { throw .invalid }
        }
        guard let number = Double(String(decoding: bytes[start..<index], as: UTF8.self)), number.isFinite else {
            throw .invalid
        }
        return number
    }

    private mutating func digits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        return index - start
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(JSONReadError) -> JSONValue {
        for byte in word.utf8 {
            guard consume(byte) else { throw .invalid }
        }
        return value
    }

    /// Whether `bracket` comes next: JSONDecoder takes one trailing comma (`[1,]`), so this does too.
    private mutating func closes(_ bracket: UInt8) -> Bool {
        skipWhitespace()
        return index < bytes.count && bytes[index] == bracket
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
