#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why an ID token was refused. The token itself never appears in a message.
package enum TokenError: MawsError, Equatable {
    case malformed(String)
    case unsupportedAlgorithm(String)
    case unsupportedCriticalHeader([String])
    case unknownKey(kid: String?)
    case unusableKey(kid: String?, reason: String)
    case badSignature
    case wrongIssuer(expected: String, actual: String)
    case wrongAudience(clientID: String, actual: [String])
    case wrongAuthorizedParty(clientID: String, actual: String?)
    case expired(at: Date, now: Date)
    case notYetValid(until: Date)
    case issuedInFuture(at: Date)
    case missingClaim(String)
    case nonceMismatch
    case invalidKeySet(String)

    package var description: String {
        switch self {
        case .malformed(let reason):
            return "the ID token is malformed (\(reason))"
        case .unsupportedAlgorithm(let alg):
            return "the ID token is signed with '\(alg)'; maws accepts only RS256, so set the IdP application's signing algorithm to RS256"
        case .unsupportedCriticalHeader(let names):
            return "the ID token has critical header parameters maws does not understand: \(names.joined(separator: ", "))"
        case .unknownKey(let kid):
            return "the ID token's signing key \(kid.map { "'\($0)' " } ?? "")is not in the IdP's published keys (JWKS)"
        case .unusableKey(let kid, let reason):
            return "the IdP's key \(kid.map { "'\($0)' " } ?? "")cannot verify RS256 tokens: \(reason)"
        case .badSignature:
            return "the ID token's signature does not verify against the IdP's key; refusing it"
        case .wrongIssuer(let expected, let actual):
            return "the ID token was issued by '\(actual)', not by '\(expected)' as the discovery document says"
        case .wrongAudience(let clientID, let actual):
            return
                "the ID token is for audience \(actual.joined(separator: ", ")), not for client_id '\(clientID)'; check client_id in your config"
        case .wrongAuthorizedParty(let clientID, let actual):
            return "the ID token's authorized party (azp) is \(actual.map { "'\($0)'" } ?? "missing"), not client_id '\(clientID)'"
        case .expired(let at, let now):
            return
                "the ID token expired at \(at.ISO8601Format()) (now \(now.ISO8601Format())); if the clock is wrong, fix it, else sign in again"
        case .notYetValid(let until):
            return "the ID token is not valid before \(until.ISO8601Format()); check this machine's clock"
        case .issuedInFuture(let at):
            return "the ID token claims to be issued in the future (\(at.ISO8601Format())); check this machine's clock"
        case .missingClaim(let name):
            return "the ID token has no '\(name)' claim"
        case .nonceMismatch:
            return "the ID token's nonce does not match this sign-in; it may be a replayed token. Sign in again"
        case .invalidKeySet(let reason):
            return "the IdP's key set (JWKS) is invalid: \(reason)"
        }
    }
}
