/// What AWS access keys are made of, checked on every key an AWS answer hands over.
///
/// Keys end up in shell lines, INI files and JSON, so a key holding anything else (a quote, a line
/// break, `$(...)`) would be an injection from whoever answered, not a key. Problems name the
/// field, never its value.
package enum AccessKeyCharacters {
    package static func problem(accessKeyID: String, secret: String, sessionToken: String?) -> String? {
        guard (16...128).contains(accessKeyID.utf8.count), accessKeyID.utf8.allSatisfy(isKeyIDByte) else {
            return "the AccessKeyId is not 16 to 128 capital letters and digits"
        }
        for (field, value) in [("SecretAccessKey", secret), ("SessionToken", sessionToken ?? "")]
        where !value.utf8.allSatisfy(isBase64Byte) {
            return "the \(field) holds characters other than base64's"
        }
        return nil
    }

    private static func isKeyIDByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isBase64Byte(_ byte: UInt8) -> Bool {
        isKeyIDByte(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }
}
