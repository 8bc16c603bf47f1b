"""oidc-provider-mock as the identity provider, with PKCE (RFC 7636, S256) required.

oidc-provider-mock 0.3 does not register authlib's PKCE extension, so this module adds it:
an authorization request without an S256 `code_challenge` is refused, and the token endpoint
checks the `code_verifier` against the challenge stored with the code. It also lets public
clients (no secret, as a native application) use the token endpoint, and answers a refresh
grant with a new ID token, as production providers do.
"""

import threading
from datetime import timedelta

import authlib.integrations.flask_oauth2 as flask_oauth2
import authlib.oauth2.rfc6749
import flask
from authlib.oauth2.rfc6749.errors import AccessDeniedError, InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants.util import generate_id_token

import oidc_provider_mock
from oidc_provider_mock import _app as mock_app
from oidc_provider_mock._storage import User

_challenges = {}
_challenges_lock = threading.Lock()


class RequiredS256CodeChallenge(CodeChallenge):
    """PKCE that every client must use, with S256 only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: missing 'code_challenge'")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE is required with code_challenge_method=S256")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code):
        with _challenges_lock:
            return _challenges.get(authorization_code.code, (None, None))[0]

    def get_authorization_code_challenge_method(self, authorization_code):
        with _challenges_lock:
            return _challenges.get(authorization_code.code, (None, None))[1]


class _AccessDeniedWithState(AccessDeniedError):
    """RFC 6749 §4.1.2.1: an error redirect carries the request's `state`. oidc-provider-mock's
    Deny button builds the error without it; this fills it in from the request."""

    def __init__(self, *args, **kwargs):
        if kwargs.get("state") is None and flask.has_request_context():
            kwargs["state"] = flask.request.args.get("state")
        super().__init__(*args, **kwargs)


def _install_pkce():
    if getattr(mock_app, "_maws_pkce_installed", False):
        return
    original_register = flask_oauth2.AuthorizationServer.register_grant

    def register_grant(self, grant_cls, extensions=None):
        if grant_cls is mock_app.AuthorizationCodeGrant:
            extensions = list(extensions or []) + [RequiredS256CodeChallenge(required=True)]
        return original_register(self, grant_cls, extensions)

    flask_oauth2.AuthorizationServer.register_grant = register_grant

    original_save = mock_app.AuthorizationCodeGrant.save_authorization_code

    def save_authorization_code(self, code, request):
        original_save(self, code, request)
        data = request.payload.data
        with _challenges_lock:
            _challenges[code] = (data.get("code_challenge"), data.get("code_challenge_method"))

    mock_app.AuthorizationCodeGrant.save_authorization_code = save_authorization_code

    # maws is a public client (a "Native" application at the IdP): it authenticates to the token
    # endpoint with PKCE and no secret. oidc-provider-mock's grants accept only secret methods.
    for grant in (mock_app.AuthorizationCodeGrant, mock_app.RefreshTokenGrant):
        grant.TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    authlib.oauth2.rfc6749.AccessDeniedError = _AccessDeniedWithState

    # OpenID Connect Core §12.2: a refresh with the openid scope answers with a new ID token, as
    # Auth0, Okta and Google do. authlib's refresh grant issues none; add it, signed like the others.
    original_issue = mock_app.RefreshTokenGrant.issue_token

    def issue_token(self, user, refresh_token):
        token = original_issue(self, user, refresh_token)
        scope = token.get("scope") or refresh_token.get_scope()
        if "openid" in scope.split():
            key = mock_app.storage.jwk.as_dict(is_private=True)
            token["id_token"] = generate_id_token(
                token, mock_app._user_claims_for_scope(user, scope), key=key,
                iss=flask.request.host_url.rstrip("/"), aud=[self.request.client.get_client_id()],
                exp=int(token.get("expires_in", 3600)), kid=key.get("kid"))
        return token

    mock_app.RefreshTokenGrant.issue_token = issue_token

    # The IdP's sign-in hook (an Auth0 Action, an Okta inline hook): when the stack sets
    # CLAIMS_HOOK, every ID token's claims go through it (the group filter of maws-roles).
    original_claims = mock_app._user_claims_for_scope

    def user_claims_for_scope(user, scope):
        claims = original_claims(user, scope)
        return CLAIMS_HOOK(claims) if CLAIMS_HOOK else claims

    mock_app._user_claims_for_scope = user_claims_for_scope
    mock_app._maws_pkce_installed = True


# Set by the stack to filter claims as an IdP's sign-in hook would; None leaves them as they are.
CLAIMS_HOOK = None


def create_app(users, token_max_age=timedelta(hours=1)):
    """The provider's WSGI app. `users` maps a subject to its extra claims (email, amr...)."""
    _install_pkce()
    return oidc_provider_mock.app(
        require_nonce=True,
        access_token_max_age=token_max_age,
        user_claims=[User(sub=sub, claims=claims) for sub, claims in users.items()],
    )


def mint_id_token(app, issuer, audience, claims, lifetime=3600):
    """An ID token signed with the provider's own key, outside any sign-in (benchmarks use it to
    seed a cache). It carries no at_hash, as it answers no token request."""
    with app.test_request_context("/"):
        app.preprocess_request()
        key = flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True)
    return generate_id_token({}, claims, key=key, iss=issuer, aud=[audience], exp=lifetime, kid=key.get("kid"))
