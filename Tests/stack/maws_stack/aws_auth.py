"""What AWS checks on signed requests and moto does not: the SigV4 signature of every request, whatever
its service and protocol (recomputed with botocore; S3's by S3's rules, over the body's SHA-256),
GetSessionToken bound to the calling user with a real TOTP check against the virtual MFA device's
seed, and the existence of the role and the ExternalId / MultiFactorAuthPresent conditions of its
trust policy on AssumeRole.

It also issues GetFederationToken's keys (moto answers every call with the same example key and
keeps none): each call gets its own key, which AWS then knows, with its session token, until it
expires, and answers GetCallerIdentity for as the federated user. And it plays IAM's eventual
consistency: a key in `not_before` (the Vault stand-in fills it) is unknown to AWS until then.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import string
import struct
import threading
import time
import urllib.parse

from botocore.auth import UNSIGNED_PAYLOAD, S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

ADMIN_KEYS = {"testing": "testing"}  # what the stack itself seeds moto with
_AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, *"
                   r"SignedHeaders=([^,]+), *Signature=([0-9a-f]{64})")


def totp(seed_base32, at=None, step=30, digits=6):
    """RFC 6238 TOTP, as a virtual MFA device shows it."""
    key = base64.b32decode(seed_base32 + "=" * (-len(seed_base32) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return str(code).zfill(digits)


class Refusal(Exception):
    def __init__(self, code, message, status="400 Bad Request"):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class _Verifier(SigV4Auth):
    """botocore's signer seen from the server's side: the canonical headers are the request's, which `verify`
    makes exactly those SignedHeaders names, by those lowercase names (botocore never signs User-Agent and
    a few others itself, but AWS takes a signature over any header)."""

    def headers_to_sign(self, request):
        return request.headers


class _S3Verifier(_Verifier, S3SigV4Auth):
    """The same by S3's rules: the path is canonical as given, neither normalised nor encoded a second time."""


def _content_sha256(environ, service, signed, body):
    """What AWS checks on x-amz-content-sha256: S3 wants it on every request, signed, and equal to the
    SHA-256 of the body it received (UNSIGNED-PAYLOAD is taken, but not on PUT here: the stack wants every
    object it stores signed). Elsewhere the header is optional, but must tell the truth if sent."""
    declared = environ.get("HTTP_X_AMZ_CONTENT_SHA256")
    if service == "s3":
        if declared is None:
            raise Refusal("InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
        if "x-amz-content-sha256" not in signed:
            raise Refusal("AccessDenied", "There were headers present in the request which were not signed: "
                                          "x-amz-content-sha256", "403 Forbidden")
        if declared == UNSIGNED_PAYLOAD and environ["REQUEST_METHOD"] != "PUT":
            return
        if declared == UNSIGNED_PAYLOAD or declared.startswith("STREAMING-"):
            raise Refusal("InvalidRequest", f"x-amz-content-sha256 {declared}: this stack takes only signed bodies "
                                            "(the body's SHA-256)")
    if declared is not None and declared != hashlib.sha256(body).hexdigest():
        raise Refusal("XAmzContentSHA256Mismatch",
                      "The provided 'x-amz-content-sha256' header does not match what was computed.")


def _path_and_query(environ, service):
    """The path and the query's decoded (name, value) pairs, as AWS canonicalises them: from the request
    line as it came (PATH_INFO is already decoded); S3's path decoded and encoded once again (a client may
    have left a character such as `=` unencoded on the wire: S3 signs `%3D` all the same), any other
    service's left to botocore, which normalises it and encodes it a second time."""
    raw = environ.get("RAW_URI") or urllib.parse.quote(environ.get("PATH_INFO") or "/")
    path = raw.split("?", 1)[0] if raw.startswith("/") else urllib.parse.urlsplit(raw).path
    if service == "s3":
        path = urllib.parse.quote(urllib.parse.unquote(path), safe="/~")
    pairs = (part.partition("=") for part in (environ.get("QUERY_STRING") or "").split("&") if part)
    return path, [(urllib.parse.unquote(name), urllib.parse.unquote(value)) for name, _, value in pairs]


class SignedRequests:
    def __init__(self):
        self._lock = threading.Lock()
        self.verified = 0
        # access key id -> {"user": ..., "account": ..., "mfa": bool} for keys GetSessionToken issued
        self.session_keys = {}
        # access key id -> {"secret", "arn", "account", "session_token", "expires"} for keys
        # GetFederationToken issued (registered by whoever called it: moto does not keep them)
        self.federation_keys = {}
        # access key id -> time.time() before which AWS does not know the key yet (IAM's eventual
        # consistency after CreateAccessKey)
        self.not_before = {}

    # -- keys -----------------------------------------------------------------

    def _accounts(self):
        return list(iam_backends.keys())

    def user_of(self, access_key_id):
        for account in self._accounts():
            backend = iam_backends[account]["global"]
            for user in list(backend.users.values()):
                for key in user.access_keys:
                    if key.access_key_id == access_key_id:
                        return account, user, key
        return None

    def register_federation_key(self, access_key_id, secret, arn, account, session_token=None, expires=None):
        """Makes a GetFederationToken key known: `arn` is the federated user's
        (arn:aws:sts::ACCOUNT:federated-user/NAME)."""
        with self._lock:
            self.federation_keys[access_key_id] = {"secret": secret, "arn": arn, "account": account,
                                                   "session_token": session_token, "expires": expires}

    def federated_user(self, access_key_id):
        """The registration of a federation token's key, or None."""
        with self._lock:
            return self.federation_keys.get(access_key_id)

    def set_not_before(self, access_key_id, when):
        with self._lock:
            self.not_before[access_key_id] = when

    def forget_not_before(self, access_key_id):
        with self._lock:
            self.not_before.pop(access_key_id, None)

    def clear_not_before(self):
        with self._lock:
            self.not_before.clear()

    def secret_of(self, access_key_id):
        if access_key_id in ADMIN_KEYS:
            return ADMIN_KEYS[access_key_id]
        with self._lock:
            not_before = self.not_before.get(access_key_id)
            federated = self.federation_keys.get(access_key_id)
        if not_before is not None and time.time() < not_before:
            return None  # not propagated yet: AWS does not know the key
        if federated:
            return federated["secret"]
        found = self.user_of(access_key_id)
        if found:
            return found[2].secret_access_key
        for account in list(sts_backends.keys()):
            for role in list(sts_backends[account]["global"].assumed_roles):
                if role.access_key_id == access_key_id:
                    return role.secret_access_key
        return None

    # -- signature ------------------------------------------------------------

    def verify(self, environ, body):
        """Returns the access key id of a correctly signed request; raises Refusal otherwise. `body` is the
        body as received (S3's signature covers its SHA-256)."""
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        match = _AUTH.fullmatch(authorization)
        if not match:
            raise Refusal("IncompleteSignature", "Authorization header is not AWS4-HMAC-SHA256")
        key_id, _, region, service, signed, signature = match.groups()
        secret = self.secret_of(key_id)
        if secret is None:
            raise Refusal("InvalidClientTokenId", "The security token included in the request is invalid.", "403 Forbidden")
        headers = {}
        for name in signed.split(";"):
            wsgi_name = name.upper().replace("-", "_")
            value = environ.get(wsgi_name if name in ("content-type", "content-length") else f"HTTP_{wsgi_name}")
            if value is None:
                raise Refusal("SignatureDoesNotMatch", f"signed header {name} is missing")
            headers[name] = value
        _content_sha256(environ, service, headers, body)
        path, query = _path_and_query(environ, service)
        request = AWSRequest(method=environ["REQUEST_METHOD"], url=f"http://{environ['HTTP_HOST']}{path}", data=body,
                             headers=headers, params=query)
        request.context["timestamp"] = headers.get("x-amz-date", "")
        token = headers.get("x-amz-security-token")
        federated = self.federated_user(key_id)
        if federated and federated["session_token"] is not None and token != federated["session_token"]:
            raise Refusal("InvalidClientTokenId", "The security token included in the request is invalid.", "403 Forbidden")
        if federated and federated["expires"] is not None and time.time() >= federated["expires"]:
            raise Refusal("ExpiredToken", "The security token included in the request is expired", "403 Forbidden")
        auth = (_S3Verifier if service == "s3" else _Verifier)(Credentials(key_id, secret, token), service, region)
        canonical = auth.canonical_request(request)
        expected = auth.signature(auth.string_to_sign(request, canonical), request)
        if not hmac.compare_digest(expected, signature):
            raise Refusal("SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided.", "403 Forbidden")
        with self._lock:
            self.verified += 1
        return key_id

    # -- STS semantics ----------------------------------------------------------

    def get_session_token(self, key_id, form):
        """Issues session keys bound to the calling user, after checking the MFA code if one is given."""
        found = self.user_of(key_id)
        if not found or key_id in self.session_keys:
            raise Refusal("AccessDenied", "Cannot call GetSessionToken with session credentials", "403 Forbidden")
        account, user, _ = found
        serial = form.get("SerialNumber", [None])[0]
        if serial:
            backend = iam_backends[account]["global"]
            device = backend.virtual_mfa_devices.get(serial)
            code = form.get("TokenCode", [""])[0]
            enabled = device is not None and getattr(device, "user", None) is not None and device.user.name == user.name
            valid = enabled and code in {totp(device.base32_string_seed, time.time() + drift) for drift in (-30, 0, 30)}
            if not valid:
                raise Refusal("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.",
                              "403 Forbidden")
        duration = int(form.get("DurationSeconds", ["43200"])[0])
        if not 900 <= duration <= 129600:
            raise Refusal("ValidationError", "DurationSeconds must be between 900 and 129600")
        key = iam_backends[account]["global"].create_access_key(user.name)
        with self._lock:
            self.session_keys[key.access_key_id] = {"user": user.name, "account": account, "mfa": bool(serial)}
        expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + duration))
        token = base64.b64encode(hashlib.sha256(key.access_key_id.encode()).digest()).decode()
        return f"""<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetSessionTokenResult><Credentials>
    <AccessKeyId>{key.access_key_id}</AccessKeyId><SecretAccessKey>{key.secret_access_key}</SecretAccessKey>
    <SessionToken>{token}</SessionToken><Expiration>{expiration}</Expiration>
  </Credentials></GetSessionTokenResult>
  <ResponseMetadata><RequestId>session</RequestId></ResponseMetadata>
</GetSessionTokenResponse>"""

    def get_federation_token(self, key_id, form):
        """Issues a federated user's keys, as GetFederationToken does: refused with session keys;
        Name of 2 to 32 characters of [\\w+=,.@-]; DurationSeconds from 900 to 129600 (43200 by
        default)."""
        with self._lock:
            federated = key_id in self.federation_keys or key_id in self.session_keys
        assumed = any(role.access_key_id == key_id for account in list(sts_backends.keys())
                      for role in list(sts_backends[account]["global"].assumed_roles))
        if federated or assumed:
            raise Refusal("AccessDenied", "Cannot call GetFederationToken with session credentials", "403 Forbidden")
        found = self.user_of(key_id)
        account = found[0] if found else DEFAULT_ACCOUNT_ID
        name = form.get("Name", [""])[0]
        if not re.fullmatch(r"[\w+=,.@-]{2,32}", name):
            raise Refusal("ValidationError", f"1 validation error detected: Value '{name}' at 'name' failed to satisfy "
                                             "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ "
                                             "and length between 2 and 32")
        duration = int(form.get("DurationSeconds", ["43200"])[0])
        if not 900 <= duration <= 129600:
            raise Refusal("ValidationError", "DurationSeconds must be between 900 and 129600")
        key_id_issued = "ASIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
        secret = base64.b64encode(secrets.token_bytes(30)).decode()
        token = base64.b64encode(secrets.token_bytes(120)).decode()
        expires = time.time() + duration
        arn = f"arn:aws:sts::{account}:federated-user/{name}"
        self.register_federation_key(key_id_issued, secret, arn, account, session_token=token, expires=expires)
        expiration = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))
        return f"""<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetFederationTokenResult>
    <Credentials>
      <SessionToken>{token}</SessionToken><SecretAccessKey>{secret}</SecretAccessKey>
      <Expiration>{expiration}</Expiration><AccessKeyId>{key_id_issued}</AccessKeyId>
    </Credentials>
    <FederatedUser><Arn>{arn}</Arn><FederatedUserId>{account}:{name}</FederatedUserId></FederatedUser>
    <PackedPolicySize>6</PackedPolicySize>
  </GetFederationTokenResult>
  <ResponseMetadata><RequestId>{secrets.token_hex(16)}</RequestId></ResponseMetadata>
</GetFederationTokenResponse>"""

    def check_assume_role(self, key_id, form):
        """What moto does not check: that the role exists (moto hands out keys for any ARN), for every
        caller; then, but for the stack's admin keys, the trust policy's sts:ExternalId and
        aws:MultiFactorAuthPresent conditions."""
        role_arn = form.get("RoleArn", [""])[0]
        parts = role_arn.split(":")
        try:
            role = iam_backends[parts[4]]["global"].get_role_by_arn(role_arn)
        except Exception:  # moto's own not-found error
            raise Refusal("AccessDenied", f"Not authorized to perform sts:AssumeRole on {role_arn}", "403 Forbidden")
        if key_id in ADMIN_KEYS:
            return
        policy = role.assume_role_policy_document
        policy = json.loads(urllib.parse.unquote(policy)) if isinstance(policy, str) else policy
        mfa = self.session_keys.get(key_id, {}).get("mfa", False)
        external_id = form.get("ExternalId", [None])[0]
        for statement in policy.get("Statement", []):
            conditions = statement.get("Condition", {})
            wanted = conditions.get("StringEquals", {}).get("sts:ExternalId")
            if wanted is not None and external_id != wanted:
                raise Refusal("AccessDenied", f"Not authorized to perform sts:AssumeRole on {role_arn}", "403 Forbidden")
            if str(conditions.get("Bool", {}).get("aws:MultiFactorAuthPresent", "")).lower() == "true" and not mfa:
                raise Refusal("AccessDenied", f"Not authorized to perform sts:AssumeRole on {role_arn} (MFA required)",
                              "403 Forbidden")
