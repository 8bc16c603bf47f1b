"""A HashiCorp Vault stand-in: the JWT auth method, the AWS secrets engine and the token store.

No real Vault runs here, so this WSGI app follows the Vault 1.17.x API documentation
(https://developer.hashicorp.com/vault/api-docs/v1.17.x: the HTTP API overview, auth/jwt,
secret/aws, auth/token, system/health) for exactly the endpoints below, with the status codes and
error texts Vault 1.17 answers (checked against Vault's source: vault/request_handling.go,
vault/router.go, sdk/logical/response_util.go, http/sys_health.go, builtin/logical/aws/path_user.go
and secret_access_keys.go, vault-plugin-auth-jwt v0.21 path_login.go and claims.go, and
hashicorp/cap v0.7 jwt.go for the token checks). It writes its own code; none is Vault's.

Endpoints (all under /v1, JSON in and out, `Cache-Control: no-store`):
- `POST|PUT auth/{auth_mount}/login` `{"role", "jwt"}`: JWT login. `role` may be left out when
  `default_role` is set (else 400 "missing role"); it is lower-cased, as Vault does. The JWT is
  checked against the IdP's JWKS (signature, iss, exp/iat with the role's 60 s clock-skew leeway),
  then the role's `bound_audiences` (and, as in Vault 1.17, a token with an `aud` is refused by a
  role without bound audiences), `bound_subject`, `user_claim` and `bound_claims` (a list-valued
  claim such as `amr` matches when any of its values is allowed; `bound_claims_type: "glob"` for
  globs). Answers an `auth` block: client_token ("hvs." + 24 base62 characters, with
  ".<namespace id>" in a namespace), accessor, policies and token_policies (the role's plus
  "default", sorted, as Vault sanitises them), metadata {"role"}, lease_duration (token_ttl, else
  the system default of 768h), renewable, entity_id (one per user and mount), token_type
  "service", orphan true, mfa_requirement null, num_uses 0.
- `GET|POST|PUT {aws_mount}/creds/{name}` and `{aws_mount}/sts/{name}`, parameters `ttl` (Vault
  duration: seconds, or "900s", "15m", "1h", "1d"...), `role_arn`, `role_session_name` (query
  string for GET, JSON body otherwise), as in path_user.go: both paths reach one handler, the role
  picks the credential type, legacy roles (Vault's ProhibitFlexibleCredPath) refuse iam_user on
  sts/ and STS types on creds/; ttl defaults to the role's default_sts_ttl else 3600 and is capped
  by max_sts_ttl else the system maximum (768h).
  - assumed_role: STS AssumeRole on the stack's AWS with its admin keys; session name as Vault's
    default username template makes it ("vault-<display>-<role>-<unix>-<random>", 64 at most) or
    the caller's, with characters outside [A-Za-z0-9+=,.@_-] replaced by "_". data: access_key,
    secret_key, security_token, arn. Not renewable; lease TTL = expiry - now.
  - federation_token: STS GetFederationToken, Name "vault-<unix>-<random>" cut to 32, Policy the
    role's policy_document (PolicyArns its policy_arns); refused without either, as Vault does. The
    stack's AWS issues a key per call (aws_auth.SignedRequests) and answers GetCallerIdentity for
    it with the federated user's ARN, as AWS does. data has no arn.
  - iam_user: IAM CreateUser ("vault-<display>-<role>-<unix>-<random>", 64 at most), PutUserPolicy
    (policy named after the role) when the role has a policy_document, AttachUserPolicy for its
    policy_arns, CreateAccessKey. data: access_key, secret_key, security_token null. Renewable;
    lease TTL `iam_user_lease_seconds` (Vault's config/lease). `iam_user_propagation_seconds` plays
    IAM's eventual consistency: the new key is unknown to the stack's AWS (403
    InvalidClientTokenId) until that many seconds after it was issued.
  Lease IDs are "{path}/<24 base62 characters>" (".<namespace id>" appended in a namespace), as
  Vault's expiration manager makes them.
- `POST|PUT auth/token/revoke-self`: revokes the calling token and its leases; 204, no body.
  Revoking (or the expiry of) a token revokes its leases: an iam_user lease deletes the user's
  access keys, inline and attached policies and the user (as Vault's rollback does); STS leases are
  left alone, since revoking them does not invalidate STS keys (Vault's documentation says so).
  Vault revokes a token's leases asynchronously; this stand-in does it before answering, so a test
  sees the user gone once revoke-self has answered.
- `GET auth/token/lookup-self`: the token's accessor, policies, ttl, expire_time, meta...
- `GET|HEAD sys/health`: initialized/sealed/standby/version ("1.17.x-standin"), 200, or 503 when
  sealed (sealedcode/activecode/standbycode/uninitcode may change them); namespaces do not apply.

How Vault answers, and so this stand-in:
- Errors are `{"errors": [...]}`. A sealed Vault answers 503 "Vault is sealed" (sys/health aside).
- The token is checked before the path is routed: `X-Vault-Token`, else `Authorization: Bearer`.
  No token: 403 "permission denied". An unknown, expired or revoked token, or one from another
  namespace: 403 "2 errors occurred:\\n\\t* permission denied\\n\\t* invalid token\\n\\n" (Vault
  1.17 adds "invalid token", see its tokens concept page). A valid token whose policies do not
  allow the path and operation: 403 "1 error occurred:\\n\\t* permission denied\\n\\n". All three
  contain "permission denied".
- Only then is the path routed: no mount there gives 404 `no handler for route "<path>". route
  entry not found.` (the path relative to the namespace, without /v1/). That needs a valid token
  whose policies allow the path (see `acl_policies`): an unauthenticated request to a path that is
  not a login path, such as a login at an auth mount that is not there (wrong `auth_mount`, or
  `X-Vault-Namespace` missing when the mounts live in a namespace), is refused before routing:
  403 "permission denied", as Vault does.
- A path under a mount that the engine does not serve: 404 "1 error occurred:\\n\\t* unsupported
  path\\n\\n"; an operation the path does not support (GET on login): 405 "1 error occurred:\\n\\t*
  unsupported operation\\n\\n"; an HTTP method Vault does not map: 405 with no error text.
- Refusals by the auth method or the secrets engine are 400 with their message, e.g. `role "x"
  could not be found`, `Role "x" not found`, "error validating token: invalid expiration time
  (exp) claim: token is expired", `error validating claims: claim "amr" does not match any
  associated bound claim values`. A body that is not JSON: 400 "error parsing JSON".
- Unknown parameters are ignored with Vault's warning "Endpoint ignored these unrecognized
  parameters: [...]".

Namespaces (Vault Enterprise): with `namespace` set (e.g. "team-a"), every mount lives in it. A
request is in it when `X-Vault-Namespace` names it (with or without slashes) or its path starts with
it; elsewhere the mounts are not there, and tokens made in it are not valid. With `namespace` None
the stand-in is Vault Community Edition, which ignores `X-Vault-Namespace`.

Policies, simplified: Vault ACL policies are HCL documents; here a policy is a name. "default"
allows read on auth/token/lookup-self and update on auth/token/revoke-self and renew-self (as
Vault's default policy does); "aws-all" allows read and update on {aws_mount}/creds/* and
{aws_mount}/sts/*; any other name NAME allows read and update on {aws_mount}/creds/NAME and
{aws_mount}/sts/NAME. `acl_policies` may define a policy instead: name -> {path glob:
[capabilities]}, with Vault's globs ("*" at the end, "+" for one segment).

Configuration is through attributes (`reset` empties it, `configure_default` adds the tests' usual
setup): `namespace`, `sealed`, `auth_mount`, `aws_mount` (either may hold slashes), `default_role`,
`jwt_roles` (name -> bound_audiences, user_claim, bound_subject, bound_claims, bound_claims_type,
claim_mappings, token_policies, token_ttl, token_no_default_policy, clock_skew_leeway, role_type),
`aws_roles` (name -> credential_type or a list of them, role_arns, policy_document, policy_arns,
default_sts_ttl, max_sts_ttl, legacy), `acl_policies`, `iam_user_lease_seconds`,
`iam_user_propagation_seconds`. What it saw: `requests` (each with method, path, query, the
X-Vault-Namespace header as sent, whether and in which header a token came, X-Vault-Request, the
parsed body, the status and what kind of request it was), `tokens`, `leases`,
`revocation_errors`, and `logins()`, `reads(name)`, `revocations()`, `last_body(path)`;
`expire_tokens(*tokens)` ends tokens as their TTL would.

Left out: every other endpoint (auth/token/renew-self, which the default policy allows, answers
404 "unsupported path"; so do the rest of the token store,
sys/leases, role and config endpoints: roles are set through attributes), response wrapping,
batch tokens, token max TTLs and periods, identity groups and policies, OIDC (browser) login,
the session_token credential type, iam_groups, iam_tags, user_path and permissions boundaries,
Sentinel/control groups, MFA, rate limits, performance standbys and replication, request
forwarding. Namespace IDs are random five-character strings, as Vault Enterprise's look; what
Vault Enterprise answers for a namespace that does not exist is not public, here its requests
simply find no mounts. The token format is Vault's pre-1.10-length one ("hvs." + 24 characters).
"""

import copy
import fnmatch
import json
import re
import secrets
import string
import threading
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import parse_qs

import boto3
import botocore.exceptions

from .tokens import TokenRejected

VERSION = "1.17.x-standin"
SYSTEM_MAX_TTL = 768 * 3600  # Vault's default max_lease_ttl and default_lease_ttl: 768h
JWT_CLOCK_SKEW_LEEWAY = 60  # the JWT role's clock_skew_leeway default

_BASE62 = string.ascii_letters + string.digits
_ROLE_NAME = re.compile(r"\w(?:[\w\-.@]*\w)?")  # framework.GenericNameWithAtRegex
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
_METHODS = {"GET": "read", "POST": "update", "PUT": "update", "DELETE": "delete", "LIST": "list",
            "PATCH": "patch", "HEAD": "header", "OPTIONS": "help"}
_STATUS_TEXT = {200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
                405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error",
                501: "Not Implemented", 503: "Service Unavailable"}

PERMISSION_DENIED = "permission denied"
INVALID_TOKEN = "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"
POLICY_DENIED = "1 error occurred:\n\t* permission denied\n\n"
UNSUPPORTED_PATH = "1 error occurred:\n\t* unsupported path\n\n"
UNSUPPORTED_OPERATION = "1 error occurred:\n\t* unsupported operation\n\n"
SEALED = "Vault is sealed"


def base62(length):
    return "".join(secrets.choice(_BASE62) for _ in range(length))


def parse_duration(value):
    """Seconds from a Vault duration (parseutil.ParseDurationSecond): a number of seconds, or a Go
    duration string ("90s", "15m", "1h30m"), or days ("2d"). Raises ValueError."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"invalid duration {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value).strip()
        if text == "":
            return 0
        if re.fullmatch(r"[+-]?\d+", text):
            seconds = float(int(text))
        elif re.fullmatch(r"\d+d", text):
            seconds = float(int(text[:-1]) * 86400)
        else:
            sign, body = (-1, text[1:]) if text.startswith("-") else (1, text.lstrip("+"))
            parts = _DURATION_PART.findall(body)
            if not parts or "".join(n + u for n, u in parts) != body:
                raise ValueError(f'time: invalid duration "{text}"')
            seconds = sign * sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    if seconds < 0:
        raise ValueError("cannot provide negative value")
    return int(seconds)


def _aws_error(error):
    """A botocore error as aws-sdk-go v1 prints it, which is what Vault puts in its messages."""
    if isinstance(error, botocore.exceptions.ClientError):
        meta = error.response.get("ResponseMetadata", {})
        detail = error.response.get("Error", {})
        return (f"{detail.get('Code', 'Unknown')}: {detail.get('Message', '')}\n"
                f"\tstatus code: {meta.get('HTTPStatusCode', 0)}, request id: {meta.get('RequestId', '')}")
    return str(error)


def _normalize_name(name):
    """secret_access_keys.go normalizeDisplayName: characters IAM refuses become '_'."""
    return re.sub(r"[^a-zA-Z0-9+=,.@_-]", "_", name)


def _as_list(value):
    """vault-plugin-auth-jwt normalizeList: a list, or a string, bool or number as a list of one."""
    if isinstance(value, list):
        return value
    if isinstance(value, (str, bool, int, float)):
        return [value]
    return None


class VaultError(Exception):
    """An error answer: `status` and the texts of its "errors" list."""

    def __init__(self, status, *errors):
        super().__init__(errors[0] if errors else "")
        self.status = status
        self.errors = list(errors)


class VaultServer:
    """The WSGI app. Configure it through its attributes (listed in the module docstring) or
    `configure_default`; read what it saw through `requests`, `logins`, `reads`, `revocations`,
    `last_body`, `tokens` and `leases`."""

    def __init__(self, issuer_keys, aws_url, signed_requests=None, ca_file=None, account_id="123456789012",
                 client_id="maws-test-client", region="us-east-1"):
        self._keys = issuer_keys
        self._aws_url = aws_url
        self._signed = signed_requests
        self._ca_file = ca_file
        self._region = region
        self.account_id = account_id
        self.client_id = client_id
        self._lock = threading.RLock()
        self._clients = {}
        self._namespace_ids = {}
        self._entities = {}
        self.requests = []
        self.tokens = {}
        self.leases = {}
        self.revocation_errors = []
        self.reset(revoke=False)

    # -- configuration ----------------------------------------------------------

    def reset(self, revoke=True):
        """Back to an empty Vault: no roles, tokens or recorded requests, `namespace` None,
        `sealed` False, mounts "jwt" and "aws", no `default_role`, IAM propagation 0. Outstanding
        iam_user leases are revoked first (their users deleted) unless `revoke` is False."""
        if revoke:
            with self._lock:
                tokens = list(self.tokens)
            for token in tokens:
                self._revoke_token(token)
            with self._lock:
                orphans = [lease_id for lease_id, lease in self.leases.items() if lease["kind"] == "iam_user"]
            for lease_id in orphans:
                self._revoke_lease(lease_id)
        with self._lock:
            self.namespace = None
            self.sealed = False
            self.auth_mount = "jwt"
            self.aws_mount = "aws"
            self.default_role = None
            self.jwt_roles = {}
            self.aws_roles = {}
            self.acl_policies = {}
            self.iam_user_lease_seconds = 3600
            self.iam_user_propagation_seconds = 0
            self.requests = []
            self.tokens = {}
            self.leases = {}
            self.revocation_errors = []
            if self._signed is not None:
                self._signed.clear_not_before()

    def configure_default(self):
        """The setup the tests start from: JWT role "maws" (also the default role) for the stack's
        client ID, users in the "team-ops" or "everyone" group, policy "aws-all", 1h tokens; AWS
        roles "readonly" (assumed_role of the stack's ReadOnly role, at most 1h, its
        MaxSessionDuration), "federated" (federation_token allowing sts:GetCallerIdentity) and
        "deployer" (iam_user allowing sts:GetCallerIdentity and s3:ListAllMyBuckets)."""
        with self._lock:
            self.default_role = "maws"
            self.jwt_roles["maws"] = {
                "bound_audiences": [self.client_id],
                "user_claim": "sub",
                "bound_claims": {"amr": ["team-ops", "everyone"]},
                "token_policies": ["aws-all"],
                "token_ttl": 3600,
            }
            self.aws_roles["readonly"] = {
                "credential_type": "assumed_role",
                "role_arns": [f"arn:aws:iam::{self.account_id}:role/ReadOnly"],
                "max_sts_ttl": 3600,
            }
            self.aws_roles["federated"] = {
                "credential_type": "federation_token",
                "policy_document": json.dumps({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}),
                "default_sts_ttl": 3600,
                "max_sts_ttl": 43200,
            }
            self.aws_roles["deployer"] = {
                "credential_type": "iam_user",
                "policy_document": json.dumps({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["sts:GetCallerIdentity", "s3:ListAllMyBuckets"], "Resource": "*"}]}),
            }
        return self

    # -- bookkeeping for tests ----------------------------------------------------

    def _matching(self, predicate):
        with self._lock:
            return [entry for entry in self.requests if predicate(entry)]

    def logins(self, successful=None):
        """Login requests seen (any outcome; `successful` True or False to count only those)."""
        return len(self._matching(lambda e: e.get("kind") == "login" and (
            successful is None or (e.get("status") == 200) == successful)))

    def revocations(self):
        """Tokens revoked through revoke-self (204 answers)."""
        return len(self._matching(lambda e: e.get("kind") == "revoke-self" and e.get("status") == 204))

    def reads(self, name=None, successful=None):
        """Requests for AWS credentials (creds/ or sts/) of role `name` (any role when None)."""
        return len(self._matching(lambda e: e.get("kind") == "aws" and (name is None or e.get("aws_role") == name) and (
            successful is None or (e.get("status") == 200) == successful)))

    def last_body(self, path):
        """The JSON body of the last request for `path` ("/v1/auth/jwt/login" or "auth/jwt/login"),
        or None."""
        wanted = "/v1/" + path.lstrip("/") if not path.startswith("/v1/") else path
        found = self._matching(lambda e: e["path"] == wanted)
        return found[-1]["body"] if found else None

    def expire_tokens(self, *tokens):
        """Makes the given tokens (all when none is given) expire now, and revokes their leases."""
        with self._lock:
            chosen = tokens or tuple(self.tokens)
            for token in chosen:
                if token in self.tokens:
                    self.tokens[token]["expire_time"] = time.time() - 1
        self.process_expirations()

    def process_expirations(self):
        """Revokes expired tokens and expired iam_user leases (each request does it first, as
        Vault's expiration manager would in the background)."""
        now = time.time()
        with self._lock:
            expired_tokens = [t for t, entry in self.tokens.items() if entry["expire_time"] <= now]
            expired_leases = [lid for lid, lease in self.leases.items()
                              if lease["kind"] == "iam_user" and lease["expire_time"] <= now]
        for token in expired_tokens:
            self._revoke_token(token)
        for lease_id in expired_leases:
            self._revoke_lease(lease_id)

    # -- AWS ------------------------------------------------------------------------

    def _client(self, service):
        with self._lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(
                    service, endpoint_url=self._aws_url, region_name=self._region, verify=self._ca_file,
                    aws_access_key_id="testing", aws_secret_access_key="testing")
            return self._clients[service]

    # -- WSGI -------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET").upper()
        path = environ.get("PATH_INFO") or "/"
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        token, token_header = self._token_of(environ)
        entry = {
            "time": time.time(), "method": method, "path": path,
            "query": {k: v[0] if len(v) == 1 else v for k, v in query.items()},
            "namespace": environ.get("HTTP_X_VAULT_NAMESPACE"),
            "token_sent": bool(token), "token_header": token_header,
            "vault_request": environ.get("HTTP_X_VAULT_REQUEST"),
            "content_type": environ.get("CONTENT_TYPE"),
            "body": None, "status": None, "kind": None,
        }
        if raw:
            try:
                entry["body"] = json.loads(raw)
            except ValueError:
                entry["body"] = raw.decode("utf-8", "replace")
        with self._lock:
            self.requests.append(entry)
        try:
            status, payload = self._handle(method, path, query, raw, token, environ, entry)
        except VaultError as error:
            status, payload = error.status, {"errors": error.errors}
        except Exception as error:  # noqa: BLE001 - a 500 with the reason, as Vault's internal errors
            status, payload = 500, {"errors": [f"1 error occurred:\n\t* internal error: {error!r}\n\n"]}
        entry["status"] = status
        body = b"" if payload is None or method == "HEAD" else json.dumps(payload).encode()
        headers = [("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                   ("Content-Length", str(len(body)))]
        start_response(f"{status} {_STATUS_TEXT.get(status, '')}".strip(), headers)
        return [body]

    @staticmethod
    def _token_of(environ):
        token = environ.get("HTTP_X_VAULT_TOKEN", "")
        if token:
            return token, "X-Vault-Token"
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        if authorization.startswith("Bearer "):
            return authorization[len("Bearer "):].strip(), "Authorization"
        return "", None

    def _handle(self, method, path, query, raw, token, environ, entry):
        if not path.startswith("/v1/"):
            return 404, {"errors": []}
        rest = path[len("/v1/"):]
        if rest.rstrip("/") == "sys/health":
            entry["kind"] = "health"
            return self._health(method, query)
        if self.sealed:
            raise VaultError(503, SEALED)
        self.process_expirations()

        operation = _METHODS.get(method)
        if operation is None:
            raise VaultError(405)
        if operation == "read" and query.get("list", [""])[0].lower() in ("true", "1"):
            operation = "list"

        with self._lock:
            configured_ns = self.namespace.strip("/") if self.namespace else None
            auth_mount = self.auth_mount.strip("/")
            aws_mount = self.aws_mount.strip("/")
        # The request's namespace: X-Vault-Namespace followed by the path (Vault Enterprise takes
        # a namespace from either, or part from each). Vault Community Edition ignores the header.
        request_ns = None
        if configured_ns is not None:
            header = (environ.get("HTTP_X_VAULT_NAMESPACE") or "").strip().strip("/")
            full = f"{header}/{rest}" if header else rest
            if full.startswith(configured_ns + "/"):
                request_ns, rest = configured_ns, full[len(configured_ns) + 1:]
            else:
                request_ns = header or None
        entry["request_namespace"] = request_ns
        mounted = request_ns == configured_ns

        data = self._data(method, query, raw)

        # Login paths are unauthenticated; everything else needs a token, checked before routing.
        if mounted and rest == f"auth/{auth_mount}/login":
            entry["kind"] = "login"
            if operation != "update":
                raise VaultError(405, UNSUPPORTED_OPERATION)
            return self._login(data, request_ns, auth_mount, entry)

        if rest.startswith("auth/token/"):
            entry["kind"] = {"auth/token/revoke-self": "revoke-self", "auth/token/lookup-self": "lookup-self"}.get(
                rest, "token")
        elif mounted and rest.startswith(aws_mount + "/"):
            entry["kind"] = "aws"
            match = re.fullmatch(r"(creds|sts)/(.+)", rest[len(aws_mount) + 1:])
            if match:
                entry["aws_role"] = match.group(2)

        record = self._check_token(token, request_ns)
        if not self._allowed(record, rest, operation, aws_mount):
            raise VaultError(403, POLICY_DENIED)

        if rest.startswith("auth/token/"):
            return self._token_store(rest[len("auth/token/"):], operation, token, record, data)
        if mounted and rest.startswith(aws_mount + "/"):
            return self._aws(rest, rest[len(aws_mount) + 1:], operation, data, token, record, request_ns, aws_mount)
        if mounted and rest.startswith(f"auth/{auth_mount}/"):
            raise VaultError(404, UNSUPPORTED_PATH)
        raise VaultError(404, f'no handler for route "{rest}". route entry not found.')

    @staticmethod
    def _data(method, query, raw):
        if method in ("POST", "PUT", "PATCH"):
            if not raw.strip():
                return {}
            try:
                data = json.loads(raw)
            except ValueError:
                raise VaultError(400, "error parsing JSON") from None
            if not isinstance(data, dict):
                raise VaultError(400, "error parsing JSON")
            return data
        # Vault passes a read's query parameters as its data.
        return {k: v[0] if len(v) == 1 else v for k, v in query.items() if k != "list"}

    # -- sys/health -------------------------------------------------------------------

    def _health(self, method, query):
        if method not in ("GET", "HEAD"):
            raise VaultError(405)
        codes = {"activecode": 200, "standbycode": 429, "sealedcode": 503, "uninitcode": 501}
        for name in codes:
            if name in query:
                try:
                    codes[name] = int(query[name][0])
                except ValueError:
                    raise VaultError(400) from None
        with self._lock:
            sealed, enterprise = self.sealed, self.namespace is not None
        body = {
            "initialized": True, "sealed": sealed, "standby": sealed, "performance_standby": False,
            "replication_performance_mode": "disabled", "replication_dr_mode": "disabled",
            "server_time_utc": int(time.time()), "version": VERSION, "enterprise": enterprise,
        }
        if not sealed:
            body["cluster_name"] = "vault-cluster-standin"
            body["cluster_id"] = "3f3b1f3a-6c1e-4d8b-9a39-5e4d0b0d1b7e"
        return (codes["sealedcode"] if sealed else codes["activecode"]), body

    # -- tokens and policies ------------------------------------------------------------

    def _check_token(self, token, request_ns):
        if not token:
            raise VaultError(403, PERMISSION_DENIED)
        with self._lock:
            record = self.tokens.get(token)
            if record is None or record["expire_time"] <= time.time():
                raise VaultError(403, INVALID_TOKEN)
            token_ns = record["namespace"]
        # A token is valid in its namespace and the namespaces under it.
        if token_ns is not None and not (request_ns == token_ns or (request_ns or "").startswith(token_ns + "/")):
            raise VaultError(403, INVALID_TOKEN)
        return record

    def _policy_paths(self, name, aws_mount):
        if name in self.acl_policies:
            return self.acl_policies[name]
        if name == "default":
            return {"auth/token/lookup-self": ["read"], "auth/token/renew-self": ["update"],
                    "auth/token/revoke-self": ["update"]}
        if name == "aws-all":
            return {f"{aws_mount}/creds/*": ["read", "update"], f"{aws_mount}/sts/*": ["read", "update"]}
        return {f"{aws_mount}/creds/{name}": ["read", "update"], f"{aws_mount}/sts/{name}": ["read", "update"]}

    @staticmethod
    def _glob_matches(pattern, path):
        regex = ""
        for index, char in enumerate(pattern):
            if char == "*" and index == len(pattern) - 1:
                regex += ".*"
            elif char == "+":
                regex += "[^/]+"
            else:
                regex += re.escape(char)
        return re.fullmatch(regex, path) is not None

    def _allowed(self, record, path, operation, aws_mount):
        """Vault's ACL, over this stand-in's named policies: the most specific path wins (exact
        over globs, then the longest glob); "deny" refuses."""
        with self._lock:
            policies = list(record["policies"])
            paths = {}
            for name in policies:
                for pattern, capabilities in self._policy_paths(name, aws_mount).items():
                    paths.setdefault(pattern, set()).update(capabilities)
        if "root" in policies:
            return True
        best = None
        for pattern, capabilities in paths.items():
            if not self._glob_matches(pattern, path):
                continue
            rank = (0 if ("*" in pattern or "+" in pattern) else 1, len(pattern))
            if best is None or rank > best[0]:
                best = (rank, capabilities)
        if best is None or "deny" in best[1]:
            return False
        wanted = {"header": "read", "help": "read"}.get(operation, operation)
        return wanted in best[1]

    def _namespace_id(self, namespace):
        if namespace is None:
            return None
        with self._lock:
            if namespace not in self._namespace_ids:
                self._namespace_ids[namespace] = base62(5)
            return self._namespace_ids[namespace]

    def _suffix(self, namespace):
        return f".{self._namespace_id(namespace)}" if namespace is not None else ""

    # -- auth/{mount}/login ------------------------------------------------------------

    def _login(self, data, request_ns, auth_mount, entry):
        warnings = self._unknown_parameters(data, {"role", "jwt"})
        with self._lock:
            role_name = str(data.get("role") or "").lower() or (self.default_role or "").lower()
            if not role_name:
                raise VaultError(400, "missing role")
            roles = {name.lower(): role for name, role in self.jwt_roles.items()}
            role = copy.deepcopy(roles.get(role_name))
        entry["role"] = role_name
        if role is None:
            raise VaultError(400, f'role "{role_name}" could not be found')
        if role.get("role_type", "jwt") == "oidc":
            raise VaultError(400, "role with oidc role_type is not allowed")
        jwt = data.get("jwt")
        if not jwt or not isinstance(jwt, str):
            raise VaultError(400, "missing token")

        claims = self._validate_jwt(jwt, role)

        user_claim = role.get("user_claim", "sub")
        user = claims.get(user_claim)
        if user is None:
            raise VaultError(400, f'claim "{user_claim}" not found in token')
        if not isinstance(user, str):
            raise VaultError(400, f'claim "{user_claim}" could not be converted to string')
        self._check_bound_claims(role, claims)

        metadata = {"role": role_name}
        for claim, key in (role.get("claim_mappings") or {}).items():
            if claim in claims and isinstance(claims[claim], (str, int, float, bool)):
                metadata[key] = str(claims[claim]).lower() if isinstance(claims[claim], bool) else str(claims[claim])

        policies = [str(p).strip().lower() for p in role.get("token_policies", role.get("policies", [])) if str(p).strip()]
        if not role.get("token_no_default_policy"):
            policies.append("default")
        policies = sorted(set(policies))
        if "root" in policies:
            raise VaultError(400, "auth methods cannot create root tokens")
        try:
            ttl = parse_duration(role.get("token_ttl", 0))
        except ValueError:
            ttl = 0
        ttl = min(ttl or SYSTEM_MAX_TTL, SYSTEM_MAX_TTL)

        suffix = self._suffix(request_ns)
        token = f"hvs.{base62(24)}{suffix}"
        accessor = f"{base62(24)}{suffix}"
        now = time.time()
        with self._lock:
            entity_key = (request_ns, auth_mount, user)
            entity_id = self._entities.setdefault(entity_key, str(uuid.uuid4()))
            display_name = (auth_mount.replace("/", "-") + "-" + user).rstrip("-")
            self.tokens[token] = {
                "accessor": accessor, "policies": policies, "role": role_name, "metadata": metadata,
                "display_name": display_name, "entity_id": entity_id, "namespace": request_ns,
                "path": f"auth/{auth_mount}/login", "creation_time": now, "ttl": ttl,
                "expire_time": now + ttl, "leases": [],
            }
        entry["user"] = user
        return 200, self._envelope(
            warnings=warnings, mount_type="jwt",
            auth={
                "client_token": token, "accessor": accessor, "policies": policies, "token_policies": policies,
                "metadata": metadata, "lease_duration": ttl, "renewable": True, "entity_id": entity_id,
                "token_type": "service", "orphan": True, "mfa_requirement": None, "num_uses": 0,
            })

    def _validate_jwt(self, jwt, role):
        """Vault (cap's jwt.Validator) checks the signature, then iss, aud, then nbf/exp/iat with
        the role's clock-skew leeway; messages as Vault 1.17 words them."""
        if jwt.count(".") != 2:
            raise VaultError(400, "error validating token: error verifying token signature: oidc: malformed jwt: "
                                  "go-jose/go-jose: compact JWS format must have three parts")
        leeway = JWT_CLOCK_SKEW_LEEWAY
        if "clock_skew_leeway" in role:
            try:
                leeway = parse_duration(role["clock_skew_leeway"])
            except ValueError:
                pass
        try:
            claims = self._keys.verify(jwt, audience=None, clock_skew=-leeway)
        except TokenRejected as rejected:
            if rejected.code == "ExpiredTokenException":
                raise VaultError(400, "error validating token: invalid expiration time (exp) claim: token is expired") from None
            if rejected.message == "Incorrect token issuer":
                raise VaultError(400, "error validating token: invalid issuer (iss) claim") from None
            raise VaultError(400, "error validating token: error verifying token signature: "
                                  "failed to verify id token signature") from None
        except OSError as error:
            raise VaultError(400, "error validating token: error verifying token signature: "
                                  f"fetching keys oidc: get keys failed: {error}") from None
        subject = role.get("bound_subject")
        if subject and claims.get("sub") != subject:
            raise VaultError(400, "error validating token: invalid subject (sub) claim")
        audiences = role.get("bound_audiences") or []
        aud = claims.get("aud")
        token_audiences = aud if isinstance(aud, list) else ([aud] if aud else [])
        if audiences and not any(a in token_audiences for a in audiences):
            raise VaultError(400, "error validating token: invalid audience (aud) claim: "
                                  "audience claim does not match any expected audience")
        now = time.time()
        if isinstance(claims.get("nbf"), (int, float)) and now + leeway < claims["nbf"]:
            raise VaultError(400, "error validating token: invalid not before (nbf) claim: token not yet valid")
        if isinstance(claims.get("iat"), (int, float)) and now + leeway < claims["iat"]:
            raise VaultError(400, "error validating token: invalid issued at (iat) claim: token issued in the future")
        if not audiences and token_audiences and any(token_audiences):
            raise VaultError(400, "audience claim found in JWT but no audiences bound to the role")
        return claims

    @staticmethod
    def _check_bound_claims(role, claims):
        globbing = role.get("bound_claims_type", "string") == "glob"
        for claim, expected in (role.get("bound_claims") or {}).items():
            actual = claims.get(claim)
            if actual is None:
                raise VaultError(400, f'error validating claims: claim "{claim}" is missing')
            actual_values = _as_list(actual)
            if actual_values is None:
                raise VaultError(400, f"error validating claims: received claim is not a string, bool, int or list: {actual}")
            expected_values = _as_list(expected)
            if expected_values is None:
                raise VaultError(400, f"error validating claims: bound claim is not a string, bool, int or list: {expected}")
            found = False
            for want in expected_values:
                for have in actual_values:
                    if globbing:
                        if isinstance(want, str) and isinstance(have, str) and fnmatch.fnmatchcase(have, want):
                            found = True
                    elif have == want and type(have) is type(want):
                        found = True
            if not found:
                raise VaultError(400, f'error validating claims: claim "{claim}" does not match any associated bound claim values')

    # -- auth/token/ ---------------------------------------------------------------------

    def _token_store(self, sub, operation, token, record, data):
        if sub == "revoke-self":
            if operation != "update":
                raise VaultError(405, UNSUPPORTED_OPERATION)
            self._revoke_token(token)
            return 204, None
        if sub == "lookup-self":
            if operation not in ("read", "update"):
                raise VaultError(405, UNSUPPORTED_OPERATION)
            now = time.time()
            with self._lock:
                info = {
                    "accessor": record["accessor"],
                    "creation_time": int(record["creation_time"]),
                    "creation_ttl": record["ttl"],
                    "display_name": record["display_name"],
                    "entity_id": record["entity_id"],
                    "expire_time": datetime.fromtimestamp(record["expire_time"], timezone.utc).isoformat(
                        timespec="microseconds").replace("+00:00", "Z"),
                    "explicit_max_ttl": 0,
                    "id": token,
                    "issue_time": datetime.fromtimestamp(record["creation_time"], timezone.utc).isoformat(
                        timespec="microseconds").replace("+00:00", "Z"),
                    "meta": dict(record["metadata"]),
                    "num_uses": 0,
                    "orphan": True,
                    "path": record["path"],
                    "policies": list(record["policies"]),
                    "renewable": True,
                    "ttl": max(0, int(record["expire_time"] - now)),
                    "type": "service",
                }
                if record["namespace"] is not None:
                    info["namespace_path"] = record["namespace"] + "/"
            return 200, self._envelope(data=info, mount_type="token")
        raise VaultError(404, UNSUPPORTED_PATH)

    # -- AWS secrets engine -----------------------------------------------------------------

    def _aws(self, full_path, sub, operation, data, token, record, request_ns, aws_mount):
        match = re.fullmatch(r"(creds|sts)/(.+)", sub)
        if not match or not _ROLE_NAME.fullmatch(match.group(2)):
            raise VaultError(404, UNSUPPORTED_PATH)
        if operation not in ("read", "update"):
            raise VaultError(405, UNSUPPORTED_OPERATION)
        kind, name = match.groups()
        warnings = self._unknown_parameters(data, {"ttl", "role_arn", "role_session_name"})
        with self._lock:
            role = copy.deepcopy(self.aws_roles.get(name))
            lease_seconds = self.iam_user_lease_seconds
            propagation = self.iam_user_propagation_seconds
        if role is None:
            raise VaultError(400, f'Role "{name}" not found')

        def duration(key, default=0):
            try:
                return parse_duration(role.get(key, default))
            except ValueError:
                return default

        if "ttl" in data:
            try:
                ttl = parse_duration(data["ttl"])
            except ValueError as error:
                raise VaultError(400, f'Field validation failed: error converting input {data["ttl"]} for field "ttl": '
                                      f"{error}") from None
        elif duration("default_sts_ttl") > 0:
            ttl = duration("default_sts_ttl")
        else:
            ttl = 3600
        max_ttl = duration("max_sts_ttl") or SYSTEM_MAX_TTL
        ttl = min(ttl, max_ttl)
        role_arn = str(data.get("role_arn") or "")
        session_name = str(data.get("role_session_name") or "")

        types = role.get("credential_type", role.get("credential_types"))
        types = [types] if isinstance(types, str) else list(types or [])
        if len(types) == 1:
            credential_type = types[0]
        elif len(types) > 1:
            credential_type = "iam_user" if kind == "creds" else "federation_token"
            if credential_type not in types:
                shown = "[]string{" + ", ".join(f'"{t}"' for t in types) + "}"
                raise VaultError(400, f'requested credential type "{credential_type}" not in allowed credential types {shown}')
        else:
            credential_type = ""
        if role.get("legacy"):
            if credential_type == "iam_user" and kind == "sts":
                raise VaultError(400, "attempted to retrieve iam_user credentials through the sts path; "
                                      "this is not allowed for legacy roles")
            if credential_type != "iam_user" and kind == "creds":
                raise VaultError(400, f"attempted to retrieve {credential_type} credentials through the creds path; "
                                      "this is not allowed for legacy roles")

        display = _normalize_name(record["display_name"])
        policy = role.get("policy_document") or ""
        if isinstance(policy, dict):
            policy = json.dumps(policy)
        policy_arns = list(role.get("policy_arns") or [])
        if credential_type == "iam_user":
            response = self._iam_user(name, display, policy, policy_arns, propagation)
            secret_kind, lease_ttl, renewable = "iam_user", min(lease_seconds or SYSTEM_MAX_TTL, SYSTEM_MAX_TTL), True
        elif credential_type == "assumed_role":
            arns = list(role.get("role_arns") or [])
            if not role_arn:
                if len(arns) != 1:
                    raise VaultError(400, "did not supply a role_arn parameter and unable to determine one")
                role_arn = arns[0]
            elif role_arn not in arns:
                raise VaultError(400, f'role_arn "{role_arn}" not in allowed role arns for Vault role "{name}"')
            response = self._assume_role(name, display, role_arn, policy, policy_arns, ttl, session_name)
            secret_kind, lease_ttl, renewable = "sts", response.pop("_ttl"), False
        elif credential_type == "federation_token":
            response = self._federation_token(name, policy, policy_arns, ttl)
            secret_kind, lease_ttl, renewable = "sts", response.pop("_ttl"), False
        else:
            raise VaultError(400, f'unknown credential_type: "{credential_type}"')

        username = response.pop("_username")
        lease_id = f"{full_path}/{base62(24)}{self._suffix(request_ns)}"
        now = time.time()
        with self._lock:
            self.leases[lease_id] = {
                "lease_id": lease_id, "kind": secret_kind, "role": name, "path": full_path, "token": token,
                "username": username, "access_key": response["access_key"], "issue_time": now,
                "expire_time": now + lease_ttl, "renewable": renewable, "namespace": request_ns,
            }
            if token in self.tokens:
                self.tokens[token]["leases"].append(lease_id)
        return 200, self._envelope(lease_id=lease_id, renewable=renewable, lease_duration=lease_ttl,
                                   data=response, warnings=warnings, mount_type="aws")

    @staticmethod
    def _iam_name(display, role_name):
        """Vault's default username template for IAM users and role sessions."""
        head = f"{display}-{_normalize_name(role_name)}"[:42]
        return f"vault-{head}-{int(time.time())}-{base62(20)}"[:64]

    def _assume_role(self, name, display, role_arn, policy, policy_arns, ttl, session_name):
        session_name = _normalize_name(session_name) if session_name else self._iam_name(display, name)
        arguments = {"RoleArn": role_arn, "RoleSessionName": session_name, "DurationSeconds": ttl}
        if policy:
            arguments["Policy"] = policy
        if policy_arns:
            arguments["PolicyArns"] = [{"arn": arn} for arn in policy_arns]
        try:
            answer = self._client("sts").assume_role(**arguments)
        except Exception as error:  # noqa: BLE001 - Vault reports any AWS failure as a 400
            raise VaultError(400, f"Error assuming role: {_aws_error(error)}") from None
        credentials = answer["Credentials"]
        return {
            "access_key": credentials["AccessKeyId"], "secret_key": credentials["SecretAccessKey"],
            "security_token": credentials["SessionToken"], "arn": answer["AssumedRoleUser"]["Arn"],
            "_ttl": max(0, int(credentials["Expiration"].timestamp() - time.time())), "_username": session_name,
        }

    def _federation_token(self, name, policy, policy_arns, ttl):
        username = f"vault-{int(time.time())}-{base62(20)}"[:32]
        if not policy and not policy_arns:
            raise VaultError(400, "must specify at least one of policy_arns or policy_document with "
                                  "federation_token credential_type")
        arguments = {"Name": username, "DurationSeconds": ttl}
        if policy:
            arguments["Policy"] = policy
        if policy_arns:
            arguments["PolicyArns"] = [{"arn": arn} for arn in policy_arns]
        try:
            answer = self._client("sts").get_federation_token(**arguments)
        except Exception as error:  # noqa: BLE001
            raise VaultError(400, f"Error generating STS keys: {_aws_error(error)}") from None
        credentials = answer["Credentials"]
        expires = credentials["Expiration"].timestamp()
        return {
            "access_key": credentials["AccessKeyId"], "secret_key": credentials["SecretAccessKey"],
            "security_token": credentials["SessionToken"],
            "_ttl": max(0, int(expires - time.time())), "_username": username,
        }

    def _iam_user(self, name, display, policy, policy_arns, propagation):
        username = self._iam_name(display, name)
        iam = self._client("iam")
        try:
            iam.create_user(UserName=username, Path="/")
        except Exception as error:  # noqa: BLE001
            raise VaultError(400, f"Error creating IAM user: {_aws_error(error)}") from None
        try:
            for arn in policy_arns:
                iam.attach_user_policy(UserName=username, PolicyArn=arn)
        except Exception as error:  # noqa: BLE001
            raise VaultError(400, f"Error attaching user policy: {_aws_error(error)}") from None
        if policy:
            try:
                iam.put_user_policy(UserName=username, PolicyName=name, PolicyDocument=policy)
            except Exception as error:  # noqa: BLE001
                raise VaultError(400, f"Error putting user policy: {_aws_error(error)}") from None
        try:
            key = iam.create_access_key(UserName=username)["AccessKey"]
        except Exception as error:  # noqa: BLE001
            raise VaultError(400, f"Error creating access keys: {_aws_error(error)}") from None
        if propagation and self._signed is not None:
            self._signed.set_not_before(key["AccessKeyId"], time.time() + propagation)
        return {"access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"], "security_token": None,
                "_username": username}

    # -- revocation ----------------------------------------------------------------------------

    def _revoke_token(self, token):
        with self._lock:
            record = self.tokens.pop(token, None)
        if record is None:
            return
        for lease_id in record["leases"]:
            self._revoke_lease(lease_id)

    def _revoke_lease(self, lease_id):
        with self._lock:
            lease = self.leases.pop(lease_id, None)
        if lease is None or lease["kind"] != "iam_user":
            return  # STS keys outlive their lease: revoking it does nothing in AWS
        iam = self._client("iam")
        user = lease["username"]
        try:
            for key in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
                iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
            for attached in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]:
                iam.detach_user_policy(UserName=user, PolicyArn=attached["PolicyArn"])
            for policy_name in iam.list_user_policies(UserName=user)["PolicyNames"]:
                iam.delete_user_policy(UserName=user, PolicyName=policy_name)
            for group in iam.list_groups_for_user(UserName=user)["Groups"]:
                iam.remove_user_from_group(UserName=user, GroupName=group["GroupName"])
            iam.delete_user(UserName=user)
        except botocore.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchEntity":
                with self._lock:
                    self.revocation_errors.append((lease_id, _aws_error(error)))
        if self._signed is not None:
            self._signed.forget_not_before(lease["access_key"])

    # -- responses ---------------------------------------------------------------------------------

    @staticmethod
    def _unknown_parameters(data, known):
        ignored = sorted(k for k in data if k not in known)
        return [f"Endpoint ignored these unrecognized parameters: [{' '.join(ignored)}]"] if ignored else None

    @staticmethod
    def _envelope(lease_id="", renewable=False, lease_duration=0, data=None, auth=None, warnings=None, mount_type=""):
        return {
            "request_id": str(uuid.uuid4()), "lease_id": lease_id, "renewable": renewable,
            "lease_duration": lease_duration, "data": data, "wrap_info": None, "warnings": warnings,
            "auth": auth, "mount_type": mount_type,
        }
