"""The parts of IAM trust-policy evaluation that AssumeRoleWithWebIdentity needs."""

import fnmatch
import json
import urllib.parse


def provider_name(issuer):
    """`host[:port]/path` as IAM names an OIDC provider."""
    parsed = urllib.parse.urlparse(issuer)
    return (parsed.netloc + parsed.path).rstrip("/")


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _matches(operator, values, patterns):
    base = operator.split(":")[-1]
    for value in values:
        for pattern in patterns:
            if base == "StringEquals" and value == pattern:
                return True
            if base == "StringLike" and fnmatch.fnmatchcase(value, pattern):
                return True
    return False


def allows(policy_document, issuer, claims):
    """Whether the trust policy lets the holder of `claims` assume the role with web identity."""
    policy = policy_document if isinstance(policy_document, dict) else json.loads(urllib.parse.unquote(policy_document))
    name = provider_name(issuer)
    for statement in _as_list(policy.get("Statement")):
        if statement.get("Effect") != "Allow":
            continue
        actions = [a.lower() for a in _as_list(statement.get("Action"))]
        if "sts:assumerolewithwebidentity" not in actions:
            continue
        principal = statement.get("Principal")
        federated = _as_list(principal.get("Federated")) if isinstance(principal, dict) else []
        if not any(f.endswith(":oidc-provider/" + name) for f in federated):
            continue
        if _conditions_hold(statement.get("Condition", {}), name, claims):
            return True
    return False


def _conditions_hold(conditions, name, claims):
    for operator, keys in conditions.items():
        for key, patterns in keys.items():
            if not key.startswith(name + ":"):
                return False
            claim = key[len(name) + 1:]
            values = [str(v) for v in _as_list(claims.get(claim))]
            if not _matches(operator, values, _as_list(patterns)):
                return False
    return True
