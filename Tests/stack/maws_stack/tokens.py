"""ID token verification for the stack's own services (the roles API and the STS layer)."""

import json
import time
import urllib.request

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet


class TokenRejected(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class IssuerKeys:
    """The issuer's JWKS, fetched from its own jwks_uri (never from the caller)."""

    def __init__(self, issuer, ssl_context=None):
        self.issuer = issuer.rstrip("/")
        self.ssl_context = ssl_context

    def key_set(self):
        with urllib.request.urlopen(f"{self.issuer}/jwks", timeout=5, context=self.ssl_context) as response:
            return KeySet.import_key_set(json.load(response))

    def verify(self, token, audience, clock_skew=0):
        """The token's claims, once signature, issuer, audience and expiry check out.

        `clock_skew` seconds are added to this machine's clock, to play a service whose clock is ahead.
        """
        try:
            decoded = jwt.decode(token, self.key_set(), algorithms=["RS256"])
        except (JoseError, ValueError) as error:
            raise TokenRejected("InvalidIdentityToken", f"Couldn't verify the token: {error}") from None
        claims = decoded.claims
        if claims.get("iss", "").rstrip("/") != self.issuer:
            raise TokenRejected("InvalidIdentityToken", "Incorrect token issuer")
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if audience is not None and audience not in audiences:
            raise TokenRejected("InvalidIdentityToken", "Incorrect token audience")
        now = time.time() + clock_skew
        if claims.get("exp", 0) <= now:
            raise TokenRejected(
                "ExpiredTokenException",
                f"Token expired: current date/time {int(now)} must be before the expiration date/time {claims.get('exp')}",
            )
        return claims
