"""An OpenID provider in trouble, for the roles API's resilience tests.

A real HTTP server on a free 127.0.0.1 port that serves what a token verifier reads from an IdP, the
discovery document and the JWKS, and can be made to misbehave as production IdPs do: answer slowly,
go down (connection refused, or HTTP 503), rotate or withdraw its signing keys, and say how long its
keys may be cached (Cache-Control max-age). It counts the requests it sees per path.
"""

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey

DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/jwks"


def new_key(kid):
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a burst of connections is queued, not refused, as a production IdP would


class TroubledIdP:
    def __init__(self):
        self.delay = 0.0          # seconds to wait before answering
        self.outage = None        # None, "503" (answers 503) or "refuse" (port closed)
        self.max_age = None       # Cache-Control max-age of the JWKS, or None for no header
        self.keys = [new_key("key-1")]  # the published signing keys; keys[0] signs by default
        self._counts = Counter()
        self._lock = threading.Lock()
        self._server = None
        self.port = 0
        self._listen()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.well_known_url = self.issuer + DISCOVERY_PATH

    # -- knobs ---------------------------------------------------------------------------------

    def count(self, path):
        with self._lock:
            return self._counts[path]

    def go_down(self, mode="503"):
        """'503': every request is answered 503 (and counted). 'refuse': the port is closed."""
        self.outage = mode
        if mode == "refuse":
            self._close()

    def come_back(self):
        if self.outage == "refuse":
            self._listen(self.port)
        self.outage = None

    def rotate(self):
        """Publishes a new key and withdraws the old ones; returns the new key."""
        fresh = new_key(f"key-{int(time.time() * 1000)}")
        self.keys = [fresh]
        return fresh

    def mint(self, claims, audience, key=None, lifetime=3600):
        """An RS256 ID token from this issuer, signed with `key` (default: the current key)."""
        key = key or self.keys[0]
        now = int(time.time())
        payload = {"iss": self.issuer, "aud": audience, "iat": now, "exp": now + lifetime, **claims}
        return jwt.encode({"alg": "RS256", "kid": key.kid}, payload, key)

    def stop(self):
        self._close()

    # -- serving -------------------------------------------------------------------------------

    def _listen(self, port=0):
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                with idp._lock:
                    idp._counts[path] += 1
                if idp.delay:
                    time.sleep(idp.delay)
                headers = {}
                if idp.outage:
                    status, document = 503, {"error": "temporarily_unavailable"}
                elif path == DISCOVERY_PATH:
                    status, document = 200, {
                        "issuer": idp.issuer,
                        "authorization_endpoint": idp.issuer + "/authorize",
                        "token_endpoint": idp.issuer + "/token",
                        "jwks_uri": idp.issuer + JWKS_PATH,
                        "code_challenge_methods_supported": ["S256"],
                    }
                elif path == JWKS_PATH:
                    status, document = 200, {"keys": [key.as_dict(private=False) for key in idp.keys]}
                    if idp.max_age is not None:
                        headers["Cache-Control"] = f"public, max-age={idp.max_age}"
                else:
                    status, document = 404, {"error": "not_found"}
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        server = _Server(("127.0.0.1", port), Handler)
        self._server = server
        self.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, name="troubled-idp", daemon=True).start()

    def _close(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
