#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A verified ID token: the compact string (what STS and the roles API receive) and its claims.
package struct IDToken: Sendable, Equatable {
    package var compact: String
    package var claims: IDTokenClaims
}
