"""moto's AWS server with the checks AWS makes and moto skips.

moto accepts any web identity token for any role and any duration. Real STS verifies the token
with the IAM OIDC provider's issuer, enforces the role's trust policy and MaxSessionDuration, and
answers with the documented error codes. This layer does those checks, then hands the request to
moto, which issues the credentials. Every other signed request, whatever its service (STS, IAM,
S3, Organizations), has its signature checked first (aws_auth), and a refusal is answered in the
request's protocol (query XML, S3 XML or JSON). GetFederationToken is answered here (aws_auth
issues a key per call, where moto gives everyone the same example key), and so is
GetCallerIdentity for those keys, with the federated user's ARN, as AWS does.
"""

import io
import json
import threading
import time
import urllib.parse
import uuid
from email.utils import formatdate
from xml.sax.saxutils import escape

from moto.iam.models import iam_backends
from moto.server import DomainDispatcherApplication, create_backend_app

from .aws_auth import Refusal, SignedRequests
from .tokens import TokenRejected
from .trust import allows

_ERROR = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
  <RequestId>{request_id}</RequestId>
</ErrorResponse>
"""

_S3_ERROR = """<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>
"""

_STATUS = {"AccessDenied": "403 Forbidden"}

# The query protocol's codes for refused signatures, as S3 and the JSON-protocol services name them.
_S3_CODES = {
    "IncompleteSignature": ("AuthorizationHeaderMalformed", "400 Bad Request"),
    "InvalidClientTokenId": ("InvalidAccessKeyId", "403 Forbidden"),
    "ExpiredToken": ("ExpiredToken", "400 Bad Request"),
}
_JSON_CODES = {
    "IncompleteSignature": ("IncompleteSignatureException", "400 Bad Request"),
    "InvalidClientTokenId": ("UnrecognizedClientException", "403 Forbidden"),
    "SignatureDoesNotMatch": ("InvalidSignatureException", "403 Forbidden"),
    "ExpiredToken": ("ExpiredTokenException", "400 Bad Request"),
    "AccessDenied": ("AccessDeniedException", "403 Forbidden"),
}


def _protocol(environ):
    """"json" (X-Amz-Target, as Organizations), "query" (a POST to / or an Action in the query string, as
    STS and IAM) or "s3" (anything else: the only REST service the stack serves; its paths are /bucket...)."""
    if environ.get("HTTP_X_AMZ_TARGET") or (environ.get("CONTENT_TYPE") or "").startswith("application/x-amz-json"):
        return "json"
    form_post = environ["REQUEST_METHOD"] == "POST" and environ.get("PATH_INFO", "/") == "/"
    if form_post or "Action=" in environ.get("QUERY_STRING", ""):
        return "query"
    return "s3"


def _caller_identity(federated):
    """GetCallerIdentity's answer for a federated user: its UserId is "ACCOUNT:NAME"."""
    name = federated["arn"].rsplit("/", 1)[-1]
    return f"""<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>{federated["arn"]}</Arn>
    <UserId>{federated["account"]}:{name}</UserId>
    <Account>{federated["account"]}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>{uuid.uuid4()}</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
"""


# How many groups (`amr` entries) a web identity token may carry before STS refuses its size.
MAX_GROUPS = 50


class AWSServer:
    """The WSGI app: every AWS request goes to moto; web identity and signed requests are checked first."""

    def __init__(self, issuer_keys, client_id):
        self._moto = DomainDispatcherApplication(create_backend_app)
        self._keys = issuer_keys
        self._client_id = client_id
        self._lock = threading.Lock()
        self.actions = []
        # Seconds STS's clock runs ahead of this machine's: tests set it to play clock skew.
        self.clock_skew = 0
        self.signed = SignedRequests()

    def actions_seen(self, action):
        with self._lock:
            return sum(1 for seen in self.actions if seen == action)

    def __call__(self, environ, start_response):
        body = self._body(environ)
        form = {}
        if _protocol(environ) == "query":  # parameters in the query string count as in the body
            form = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
            form.update(urllib.parse.parse_qs(body.decode("utf-8", "replace")))
        action = (form.get("Action") or [""])[0] or environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
        if action:
            with self._lock:
                self.actions.append(action)
        if action == "AssumeRoleWithWebIdentity":
            refusal = self._refusal(form)
            if refusal:
                code, message = refusal
                return self._error(environ, start_response, code, message, _STATUS.get(code, "400 Bad Request"))
        elif environ.get("HTTP_AUTHORIZATION"):
            try:
                key_id = self.signed.verify(environ, body)
                federated = self.signed.federated_user(key_id)
                if action == "GetCallerIdentity" and federated:
                    return self._xml(start_response, _caller_identity(federated))
                if action == "GetSessionToken":
                    return self._xml(start_response, self.signed.get_session_token(key_id, form))
                if action == "GetFederationToken":
                    return self._xml(start_response, self.signed.get_federation_token(key_id, form))
                if action == "AssumeRole":
                    self.signed.check_assume_role(key_id, form)
            except Refusal as refusal:
                return self._error(environ, start_response, refusal.code, refusal.message, refusal.status)
        return self._moto(environ, self._dated(start_response))

    @staticmethod
    def _body(environ):
        """The request's body, read once and put back for moto (chunked bodies have no Content-Length)."""
        stream = environ["wsgi.input"]
        body = stream.read() if environ.get("wsgi.input_terminated") else stream.read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        return body

    def _error(self, environ, start_response, code, message, status):
        """The refusal as the request's protocol words it: the query protocol's ErrorResponse, S3's Error
        document, or the JSON protocol's __type (the codes that differ from the query protocol's translated)."""
        protocol = _protocol(environ)
        if protocol == "json":
            code, status = _JSON_CODES.get(code, (code, status))
            content_type, payload = "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
        elif protocol == "s3":
            code, status = _S3_CODES.get(code, (code, status))
            content_type = "application/xml"
            payload = _S3_ERROR.format(code=code, message=escape(message), request_id=uuid.uuid4()).encode()
        else:
            content_type = "text/xml"
            payload = _ERROR.format(code=code, message=escape(message), request_id=uuid.uuid4()).encode()
        headers = [("Content-Type", content_type), ("Content-Length", str(len(payload)))]
        self._dated(start_response)(status, headers)
        return [payload] if environ["REQUEST_METHOD"] != "HEAD" else []

    def _xml(self, start_response, document):
        payload = document.encode()
        self._dated(start_response)("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))])
        return [payload]

    def _dated(self, start_response):
        """Sends a Date header from STS's own (possibly skewed) clock."""
        if not self.clock_skew:
            return start_response

        def respond(status, headers, exc_info=None):
            headers = [(k, v) for k, v in headers if k.lower() != "date"]
            headers.append(("Date", formatdate(time.time() + self.clock_skew, usegmt=True)))
            return start_response(status, headers, exc_info)
        return respond

    def _refusal(self, form):
        def field(name):
            return (form.get(name) or [""])[0]

        try:
            claims = self._keys.verify(field("WebIdentityToken"), audience=self._client_id,
                                       clock_skew=self.clock_skew)
        except TokenRejected as rejected:
            return rejected.code, rejected.message
        role_arn = field("RoleArn")
        parts = role_arn.split(":")
        role = None
        if len(parts) == 6:
            try:
                role = iam_backends[parts[4]]["global"].get_role_by_arn(role_arn)
            except Exception:  # moto raises its own not-found error
                role = None
        # AWS packs a web identity token's claims into the session, and refuses one whose packed
        # size is over its limit. Groups are what make it so; this stand-in refuses more than
        # MAX_GROUPS of them, as AWS does somewhere past that many group names.
        groups = claims.get("amr") or []
        if isinstance(groups, list) and len(groups) > MAX_GROUPS:
            return "PackedPolicyTooLarge", "Packed size of the web identity token's claims exceeds the limit."
        if role is None or not allows(role.assume_role_policy_document, self._keys.issuer, claims):
            return "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"
        duration = int(field("DurationSeconds") or 3600)
        if duration > int(role.max_session_duration or 3600):
            return "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        return None
