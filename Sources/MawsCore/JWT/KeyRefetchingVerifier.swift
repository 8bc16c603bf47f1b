/// Verifies an ID token with an issuer's keys, and when the token names a key id they do not hold
/// (the IdP rotated its keys since they were fetched), once more with keys fetched again.
///
/// Both sides verify through this: the sign-in flow (keys from its cache) and the roles API (keys
/// it keeps in memory, refetched at most once a minute). How the keys are had is theirs; the rule
/// that an unknown key id costs exactly one refetch and nothing more is this type's.
package struct KeyRefetchingVerifier: Sendable {
    package var verifier: IDTokenVerifier

    package init(_ verifier: IDTokenVerifier) {
        self.verifier = verifier
    }

    /// `refetch` is called only for an unknown key id; what it throws is passed on as it is.
    package func verify(_ token: String, keys: JSONWebKeySet, refetch: () throws -> JSONWebKeySet) throws -> IDToken {
        // A Result, not `catch .unknownKey`: catching one case of a typed throw crashes the Swift 6.3 compiler.
        switch Result(catching: { () throws(TokenError) in try verifier.verify(token, keys: keys) }) {
        case .success(let token):
            return token
        case .failure(.unknownKey):
            return try verifier.verify(token, keys: try refetch())
        case .failure(let error):
            throw error
        }
    }
}
