"""A stand-in for the AWS federation endpoint (signin.aws.amazon.com/federation).

`getSigninToken` (POST) checks that the session credentials are real by calling STS
GetCallerIdentity with them, then issues a token; `login` (GET) answers like the console would.
It records what it saw, so tests can check that credentials never travel in a URL.
"""

import json
import secrets
import threading
import urllib.parse

import boto3


class FederationEndpoint:
    def __init__(self, aws_url):
        self._aws_url = aws_url
        self._lock = threading.Lock()
        self.tokens = {}
        self.logins = []
        self.logouts = []
        self.query_strings = []

    def __call__(self, environ, start_response):
        def answer(status, body, content_type="application/json"):
            payload = body.encode()
            start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(payload)))])
            return [payload]

        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        with self._lock:
            self.query_strings.append(environ.get("QUERY_STRING", ""))
        if environ.get("PATH_INFO") == "/oauth" and query.get("Action") == ["logout"]:
            # The console's sign-out: it ends the session, then sends the browser on.
            with self._lock:
                self.logouts.append(query)
            target = query.get("redirect_uri", ["/"])[0]
            start_response("302 Found", [("Location", target), ("Content-Length", "0")])
            return [b""]
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = urllib.parse.parse_qs(environ["wsgi.input"].read(length).decode())
            if form.get("Action") != ["getSigninToken"]:
                return answer("400 Bad Request", json.dumps({"message": "unknown Action"}))
            try:
                session = json.loads(form["Session"][0])
                duration = int(form["SessionDuration"][0])
                sts = boto3.client("sts", endpoint_url=self._aws_url, region_name="us-east-1",
                                   aws_access_key_id=session["sessionId"], aws_secret_access_key=session["sessionKey"],
                                   aws_session_token=session["sessionToken"])
                arn = sts.get_caller_identity()["Arn"]
            except Exception as error:  # noqa: BLE001 - any failure is a refusal, as the real endpoint does
                return answer("400 Bad Request", json.dumps({"message": f"invalid session: {error}"}))
            if not 900 <= duration <= 43200:
                return answer("400 Bad Request", json.dumps({"message": "SessionDuration out of range"}))
            token = secrets.token_urlsafe(24)
            with self._lock:
                self.tokens[token] = arn
            return answer("200 OK", json.dumps({"SigninToken": token}))
        if query.get("Action") == ["login"]:
            with self._lock:
                self.logins.append(query)
                known = query.get("SigninToken", [""])[0] in self.tokens
            return answer("200 OK" if known else "400 Bad Request", "<html>AWS console</html>", "text/html")
        return answer("400 Bad Request", json.dumps({"message": "unknown request"}))
