import Glibc
import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where one of the organisation's JSON documents lives (a map, the report, the rebuild marker):
/// a file, or an S3 object written as `s3://BUCKET/KEY`.
package enum MapLocation: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    case s3(S3Location)

    package init(parsing text: String) throws(S3LocationError) {
        self = S3Location.isS3(text) ? .s3(try S3Location(parsing: text)) : .file(text)
    }

    package var description: String {
        switch self {
        case .file(let path): return path
        case .s3(let location): return location.description
        }
    }

    /// The document beside this one whose name has `suffix` appended.
    package func appending(_ suffix: String) -> MapLocation {
        switch self {
        case .file(let path): return .file(path + suffix)
        case .s3(let location): return .s3(location.appending(suffix))
        }
    }

    package var isS3: Bool {
        if case .s3 = self { return true }
        return false
    }
}

/// Reads and writes documents at `MapLocation`s, every write conditional on the version it
/// replaces, so that two builders (or two replicas setting the rebuild marker) never overwrite
/// each other without knowing. S3 objects carry S3's ETag; files carry a tag made from the
/// SHA-256 of their content, checked and replaced under the directory's lock.
package struct MapStore: Sendable {
    package typealias Read = S3Client.Read
    package typealias WriteCondition = S3Client.WriteCondition

    /// The largest document read (a map of a very large organisation is a few MB).
    package static let maximumBytes = 64 << 20

    /// The transport for S3: a map may be as large as `maximumBytes`, and take a minute.
    package static func s3HTTP(_ network: NetworkSettings) -> HTTPClient {
        CurlHTTPClient(network: network, totalTimeout: 60, maximumResponseBytes: maximumBytes)
    }

    /// nil when no credentials are at hand: an S3 location then fails with that reason.
    private let s3: S3Client?

    package init(s3: S3Client?) {
        self.s3 = s3
    }

    /// The document, unless its tag is still `ifNoneMatch`.
    package func read(_ location: MapLocation, ifNoneMatch tag: String? = nil) throws -> Read {
        switch location {
        case .s3(let object):
            return try client(for: object).get(object, ifNoneMatch: tag)
        case .file(let path):
            guard let bytes = try Self.readFile(path) else { return .missing }
            let current = try Self.tag(bytes)
            return current == tag ? .notModified : .object(bytes: bytes, etag: current)
        }
    }

    /// Writes `bytes` if `condition` holds and returns the new tag; a failed condition throws
    /// `MapStoreError.lostRace`, for files as for S3.
    @discardableResult
    package func write(_ location: MapLocation, _ bytes: [UInt8], condition: WriteCondition?) throws -> String {
        switch location {
        case .s3(let object):
            do {
                return try client(for: object).put(object, bytes, contentType: "application/json", condition: condition)
            } catch S3Error.preconditionFailed {
                throw MapStoreError.lostRace(location.description)
            }
        case .file(let path):
            return try SharedFile(path: path, holdsSecrets: false).withLock {
                let current = try Self.readFile(path).map(Self.tag)
                let holds: Bool
                switch condition {
                case .ifMatch(let tag): holds = current == tag
                case .ifAbsent: holds = current == nil
                case nil: holds = true
                }
                guard holds else { throw MapStoreError.lostRace(path) }
                try AtomicFile.write(bytes, to: path, mode: 0o644)
                return try Self.tag(bytes)
            }
        }
    }

    private func client(for location: S3Location) throws -> S3Client {
        guard let s3 else { throw AWSChainError.noCredentials }
        return s3
    }

    static func readFile(_ path: String) throws -> [UInt8]? {
        guard let text = try SharedFile(path: path, holdsSecrets: false).text() else { return nil }
        guard text.utf8.count <= maximumBytes else { throw MapStoreError.tooLarge(path) }
        return Array(text.utf8)
    }

    static func tag(_ bytes: [UInt8]) throws -> String {
        "\"" + Hex.encode(try SHA256.hash(bytes).prefix(16)) + "\""
    }
}

package enum MapStoreError: MawsError, Equatable {
    case tooLarge(String)
    case unreadable(location: String, reason: String)
    /// Another writer changed the document between our read and our write.
    case lostRace(String)

    package var description: String {
        switch self {
        case .tooLarge(let location):
            return "\(location) is larger than \(MapStore.maximumBytes >> 20) MB; refusing to read it"
        case .unreadable(let location, let reason):
            return "\(location) is not a map maws-roles can use: \(reason)"
        case .lostRace(let location):
            return "\(location) changed while it was being written (another writer won); read it again and retry"
        }
    }
}
