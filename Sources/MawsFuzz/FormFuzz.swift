#if DEBUG
@testable import MawsCore

/// Form bodies and query strings (`application/x-www-form-urlencoded`), and percent-encoding.
enum FormFuzz {
    static let target = FuzzTarget(
        "form",
        "form decoding: decoded fields encode to unreserved characters and escapes "
            + "and decode back equal; percentDecode undoes percentEncode on any text, with "
            + "and without '+' as space"
    ) { data in
        run(String(decoding: data, as: UTF8.self))
    }

    static func run(_ text: String) {
        if let fields = FormEncoding.decode(text[...]) {
            require(
                fields.count == text.split(separator: "&").count, "\(fields.count) fields from \(text.split(separator: "&").count) pairs")
            let encoded = FormEncoding.encode(fields)
            require(
                encoded.utf8.allSatisfy {
                    isUnreserved($0) || $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "&")
                },
                "encode wrote a character it should escape")
            guard let decoded = FormEncoding.decode(encoded[...]) else { return require(false, "encoded fields do not decode") }
            require(
                decoded.count == fields.count && zip(decoded, fields).allSatisfy { $0.0.isExactly($1.0) && $0.1.isExactly($1.1) },
                "fields do not decode back from their encoding")
        }
        for plusIsSpace in [true, false] {
            let decoded = FormEncoding.percentDecode(text[...], plusIsSpace: plusIsSpace)
            require(decoded != nil || text.utf8.contains(UInt8(ascii: "%")), "percentDecode refused text without escapes")
            let encoded = FormEncoding.percentEncode(text)
            require(
                FormEncoding.percentDecode(encoded[...], plusIsSpace: plusIsSpace)?.isExactly(text) == true,
                "percentDecode does not undo percentEncode")
        }
    }

    /// RFC 3986's unreserved characters.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
#endif
