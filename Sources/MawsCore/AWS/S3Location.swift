/// An S3 object named as `s3://BUCKET/KEY`.
package struct S3Location: Sendable, Hashable, CustomStringConvertible {
    package var bucket: String
    package var key: String

    package var description: String { "s3://\(bucket)/\(key)" }

    package init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// Whether `text` names an S3 object rather than a file (it may still be a malformed one).
    package static func isS3(_ text: String) -> Bool { text.hasPrefix("s3://") }

    /// Bucket names as S3 allows them today (3 to 63 lower-case letters, digits, dots and hyphens,
    /// starting and ending with a letter or digit); keys of 1 to 1024 bytes without control
    /// characters, which would not survive a header or a log line.
    package init(parsing text: String) throws(S3LocationError) {
        guard Self.isS3(text) else { throw .notS3(text) }
        let rest = text.dropFirst("s3://".count)
        guard let slash = rest.firstIndex(of: "/") else { throw .noKey(text) }
        let bucket = String(rest[..<slash])
        let key = String(rest[rest.index(after: slash)...])
        let allowed = bucket.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2D }
        guard (3...63).contains(bucket.utf8.count), allowed, bucket.first != "." && bucket.first != "-",
            bucket.last != "." && bucket.last != "-", !bucket.contains("..")
        else { throw .badBucket(bucket) }
        guard !key.isEmpty else { throw .noKey(text) }
        // "." and ".." segments would be collapsed on the way and no longer match the signature.
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard key.utf8.count <= 1024, !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }),
            !segments.contains(where: { $0 == "." || $0 == ".." })
        else {
            throw .badKey(text)
        }
        self.bucket = bucket
        self.key = key
    }

    /// The object beside this one whose key has `suffix` appended (the rebuild marker of a map).
    package func appending(_ suffix: String) -> S3Location { S3Location(bucket: bucket, key: key + suffix) }
}

package enum S3LocationError: Error, Equatable, Sendable, CustomStringConvertible {
    case notS3(String)
    case noKey(String)
    case badBucket(String)
    case badKey(String)

    package var description: String {
        switch self {
        case .notS3(let text): return "'\(text)' is not an s3://BUCKET/KEY address"
        case .noKey(let text): return "'\(text)' names no object key; write s3://BUCKET/KEY"
        case .badBucket(let bucket):
            return "'\(bucket)' is not an S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens)"
        case .badKey(let text):
            return
                "'\(TerminalText.line(text))' has an object key maws-roles cannot use (over 1024 bytes, control characters, or . and .. segments)"
        }
    }
}
