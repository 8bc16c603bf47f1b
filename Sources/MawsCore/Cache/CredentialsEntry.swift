#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// STS credentials for (issuer, client, subject, role), reused until 5 minutes before they expire.
package struct CredentialsEntry: CacheEntry, Equatable {
    package var issuer: String
    package var clientID: String
    package var subject: String
    package var role: String
    package var credentials: AWSCredentials
    package var assumedRoleARN: String
    package var durationSeconds: Int
    package var promptName: String

    package struct Key: Equatable, Sendable {
        package var issuer: String
        package var clientID: String
        package var subject: String
        package var role: String
    }

    package static let kind = CacheDirectory.Kind.credentials
    package var key: Key { Key(issuer: issuer, clientID: clientID, subject: subject, role: role) }
    package static func nameParts(of key: Key) -> [String] { [key.issuer, key.clientID, key.subject, key.role] }

    package func isUsable(at now: Date) -> Bool {
        credentials.expiration.timeIntervalSince(now) > credentialsMinimumRemaining
    }

    /// Parsed without `JSONDecoder`: the cached-credentials path reads this file on every run.
    package static func read(_ bytes: [UInt8]) -> CredentialsEntry? {
        guard let document = CachedDocument(bytes), let credentials = document.object("credentials"),
            let accessKeyID = credentials.string("accessKeyID"), let secretAccessKey = credentials.string("secretAccessKey"),
            let sessionToken = credentials.string("sessionToken"), let expiration = credentials.date("expiration"),
            let issuer = document.string("issuer"), let clientID = document.string("clientID"),
            let subject = document.string("subject"), let role = document.string("role"),
            let assumedRoleARN = document.string("assumedRoleARN"), let durationSeconds = document.integer("durationSeconds"),
            let promptName = document.string("promptName")
        else { return nil }
        return CredentialsEntry(
            issuer: issuer, clientID: clientID, subject: subject, role: role,
            credentials: AWSCredentials(
                accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: sessionToken, expiration: expiration),
            assumedRoleARN: assumedRoleARN, durationSeconds: durationSeconds, promptName: promptName)
    }
}
