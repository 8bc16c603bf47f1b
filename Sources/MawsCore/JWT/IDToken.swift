#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A verified ID token: the compact string (what STS and the roles API receive) and its claims.
public struct IDToken: Sendable, Equatable {
    public var compact: String
    public var claims: IDTokenClaims
}
