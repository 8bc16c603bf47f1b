"""The local stack maws's integration tests and `make demo` run against.

Real components on free loopback ports, in one Python process:
- an OpenID Connect provider (oidc-provider-mock, with PKCE S256 made mandatory),
- AWS STS, IAM, S3 and Organizations (moto in server mode), behind a thin layer adding the checks AWS
  makes that moto skips: every request's SigV4 signature (S3's with its body's SHA-256), and on
  AssumeRoleWithWebIdentity the token's signature and expiry, trust policy and MaxSessionDuration,
- the project's own roles API (`maws-roles serve`), over the group-role map `maws-roles build`
  makes from moto's IAM,
- a HashiCorp Vault stand-in (vault.py) following the Vault 1.17.x API documentation: JWT login
  with the IdP's ID tokens, the AWS secrets engine (assumed_role, federation_token and iam_user
  credentials from the stack's AWS), token revocation with its leases, namespaces, sealing.
"""

from .stack import Stack, DemoUser  # noqa: F401
