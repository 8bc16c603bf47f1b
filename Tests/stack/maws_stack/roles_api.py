"""The ID-token-for-roles API contract, answered from the roles in moto's IAM.

POST {"token", "key", "cache"} -> {"roles": [...], "aliases": {...}} or {"error": ...}. The
token is verified with the issuer's own JWKS; the caller's "key" is never trusted. A role is
listed when its trust policy admits the token's claims. This stands in for the project's own
roles server until that exists.
"""

import json
import threading

from moto.iam.models import iam_backends

from .tokens import TokenRejected
from .trust import allows


class RolesAPI:
    def __init__(self, issuer_keys, client_id, accounts):
        self._keys = issuer_keys
        self._client_id = client_id
        self._accounts = accounts
        self._lock = threading.Lock()
        self.requests = []

    def __call__(self, environ, start_response):
        def answer(status, document):
            payload = json.dumps(document).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]

        if environ.get("REQUEST_METHOD") != "POST":
            return answer("405 Method Not Allowed", {"error": "use POST"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = json.loads(environ["wsgi.input"].read(length))
            token = request["token"]
        except (ValueError, KeyError, TypeError):
            return answer("400 Bad Request", {"error": "expected a JSON object with a 'token'"})
        with self._lock:
            self.requests.append(request)
        try:
            claims = self._keys.verify(token, audience=self._client_id)
        except TokenRejected as rejected:
            return answer("401 Unauthorized", {"error": rejected.message})
        if "amr" not in claims:
            return answer("403 Forbidden", {"error": "the ID token has no amr claim"})
        roles = []
        aliases = {}
        for account in self._accounts:
            backend = iam_backends[account]["global"]
            for role in backend.roles.values():
                if allows(role.assume_role_policy_document, self._keys.issuer, claims):
                    roles.append(role.arn)
            if backend.account_aliases:
                aliases[account] = list(backend.account_aliases)
        return answer("200 OK", {"roles": sorted(roles), "aliases": aliases})
