import Foundation
import Testing

@testable import MawsCore

/// The cached-credentials path reads its two cache files with `JSONParser` instead of
/// `JSONDecoder`; both readers must take the same files the same way.
@Suite struct CacheReadTests {
    static let claims =
        #"{"iss":"https://idp.example.com","sub":"alice","aud":["maws"],"exp":1800000000,"iat":1799996400,"#
        + #""email":"alice@example.com","amr":["team-ops"],"nonce":"n"}"#
    static let token =
        #"{"wellKnownURL":"https://idp.example.com/.well-known/openid-configuration","issuer":"https://idp.example.com","#
        + #""clientID":"maws","idToken":"a.b.c","claims":CLAIMS,"refreshToken":"r","savedAt":1799996400.25}"#
    static let credentials =
        #"{"issuer":"https://idp.example.com","clientID":"maws","subject":"alice","#
        + #""role":"arn:aws:iam::123456789012:role/Admin","credentials":{"accessKeyID":"ASIAEXAMPLE","#
        + #""secretAccessKey":"se\/cr+et","sessionToken":"to\u002Fken==","expiration":1800000000.5},"#
        + #""assumedRoleARN":"arn:aws:sts::123456789012:assumed-role/Admin/alice","durationSeconds":43200,"promptName":"yoyodyne-Admin"}"#

    static var tokenDocuments: [String] {
        let variants = [
            claims,
            claims.replacingOccurrences(of: #""aud":["maws"]"#, with: #""aud":"maws""#),
            claims.replacingOccurrences(of: #""email":"alice@example.com""#, with: #""email":5"#),
            claims.replacingOccurrences(of: #""amr":["team-ops"]"#, with: #""amr":"team-ops""#),
            claims.replacingOccurrences(of: #""amr":["team-ops"]"#, with: #""amr":null"#),
            claims.replacingOccurrences(of: #""nonce":"n""#, with: #""nonce":null,"nbf":1.5e9"#),
            claims.replacingOccurrences(of: #""nonce":"n""#, with: #""nonce":7"#),
            claims.replacingOccurrences(of: #""exp":1800000000"#, with: #""exp":"soon""#),
            claims.replacingOccurrences(of: #""sub":"alice""#, with: #""sub":"\u00e9l\ud83d\ude42\n\"x\"""#),
            claims.replacingOccurrences(of: #","iat":1799996400"#, with: ""),
        ]
        var documents = variants.map { token.replacingOccurrences(of: "CLAIMS", with: $0) }
        let base = documents[0]
        documents += [
            base.replacingOccurrences(of: #","refreshToken":"r""#, with: ""),
            base.replacingOccurrences(of: #""refreshToken":"r""#, with: #""refreshToken":null"#),
            base.replacingOccurrences(of: #""refreshToken":"r""#, with: #""refreshToken":1"#),
            base.replacingOccurrences(of: #""savedAt":1799996400.25"#, with: #""savedAt":"now""#),
            base.replacingOccurrences(of: "{", with: #"{"extra":[1,{"a":true}],"#),
            " \n" + base + "\t",
            base + "x", "[" + base + "]", "", "{", #"{"a":1,}"#, #"{"a":[1,],"b":{"c":2,},}"#, #"{,}"#, #"[,]"#, #"[1,,2]"#, #"{"a":1,,}"#,
            base.replacingOccurrences(of: ":", with: " : "),
            String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
        ]
        return documents
    }

    static var credentialsDocuments: [String] {
        [
            credentials,
            credentials.replacingOccurrences(of: #""durationSeconds":43200"#, with: #""durationSeconds":43200.5"#),
            credentials.replacingOccurrences(of: #""durationSeconds":43200"#, with: #""durationSeconds":4.32e4"#),
            credentials.replacingOccurrences(of: #""durationSeconds":43200"#, with: #""durationSeconds":-0"#),
            credentials.replacingOccurrences(of: #""promptName":"yoyodyne-Admin""#, with: #""promptName":null"#),
            credentials.replacingOccurrences(of: #""expiration":1800000000.5"#, with: #""expiration":true"#),
            credentials.replacingOccurrences(of: #""role":"#, with: #""role":"x","role":"#),
            credentials.replacingOccurrences(of: "ASIAEXAMPLE", with: #"ASIA\u0000\"\\\b\f\n\r\t"#),
            credentials.replacingOccurrences(of: "ASIAEXAMPLE", with: #"\ud800"#),
            credentials.replacingOccurrences(of: "ASIAEXAMPLE", with: "tab\there"),
        ]
    }

    @Test(arguments: tokenDocuments)
    func idTokenEntriesReadAlike(_ document: String) {
        let bytes = Array(document.utf8)
        #expect(IDTokenEntry.read(bytes) == (try? JSONReader.decode(IDTokenEntry.self, from: bytes, dates: .secondsSince1970)))
        #expect((try? JSONParser.parse(bytes)) == (try? JSONReader.decode(JSONValue.self, from: bytes)))
    }

    @Test(arguments: credentialsDocuments)
    func credentialsEntriesReadAlike(_ document: String) {
        let bytes = Array(document.utf8)
        #expect(CredentialsEntry.read(bytes) == (try? JSONReader.decode(CredentialsEntry.self, from: bytes, dates: .secondsSince1970)))
        #expect((try? JSONParser.parse(bytes)) == (try? JSONReader.decode(JSONValue.self, from: bytes)))
    }

    @Test func theValidDocumentsAreRead() throws {
        #expect(IDTokenEntry.read(Array(Self.tokenDocuments[0].utf8))?.claims.sub == "alice")
        let entry = try #require(CredentialsEntry.read(Array(Self.credentials.utf8)))
        #expect(entry.credentials.secretAccessKey == "se/cr+et" && entry.credentials.sessionToken == "to/ken==")
        #expect(entry.credentials.expiration.timeIntervalSince1970 == 1_800_000_000.5)
    }
}
