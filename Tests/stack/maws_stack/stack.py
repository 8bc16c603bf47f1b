"""Starts and seeds the whole local stack."""

import json
import os
from dataclasses import dataclass, field
from datetime import timedelta

import boto3

from . import idp
from .federation import FederationEndpoint
from .recorder import RequestLog
from .roles_api import RolesAPI
from .server import BackgroundServer
from .sts import AWSServer
from .tokens import IssuerKeys

ACCOUNT_ID = "123456789012"
ACCOUNT_ALIAS = "maws-demo"
CLIENT_ID = "maws-test-client"


@dataclass
class DemoUser:
    sub: str
    email: str
    groups: list = field(default_factory=list)


DEFAULT_USERS = [
    DemoUser("alice", "alice@example.com", ["team-ops", "everyone"]),
    DemoUser("bob", "bob@example.com", ["everyone"]),
    DemoUser("mallory", "mallory@example.com", []),
]

# (role name, groups allowed by its trust policy, MaxSessionDuration)
DEFAULT_ROLES = [
    ("Admin", ["team-ops"], 43200),
    ("ReadOnly", ["everyone"], 3600),
    ("Billing", ["finance-*"], 3600),
]


class Stack:
    """The IdP, AWS (STS and IAM) and the roles API, each on a free 127.0.0.1 port."""

    def __init__(self, users=DEFAULT_USERS, roles=DEFAULT_ROLES, token_max_age=timedelta(hours=1)):
        self.users = list(users)
        self.roles = list(roles)
        self.token_max_age = token_max_age
        self._servers = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
        users = {u.sub: {"email": u.email, "amr": u.groups} for u in self.users}
        self.idp_app = idp.create_app(users, self.token_max_age)
        self.idp_log = RequestLog(self.idp_app)
        self.idp = self._serve(self.idp_log, "idp")
        self.issuer = self.idp.url
        keys = IssuerKeys(self.issuer)
        self.aws_app = AWSServer(keys, CLIENT_ID)
        self.aws = self._serve(self.aws_app, "aws")
        self.roles_app = RolesAPI(keys, CLIENT_ID, [ACCOUNT_ID])
        self.roles_api = self._serve(self.roles_app, "roles")
        self.federation_app = FederationEndpoint(self.aws.url)
        self.federation = self._serve(self.federation_app, "federation")
        self._seed()
        return self

    def stop(self):
        for server in reversed(self._servers):
            server.stop()
        self._servers.clear()

    def _serve(self, app, name):
        server = BackgroundServer(app, name).start()
        self._servers.append(server)
        return server

    def client(self, service):
        return boto3.client(service, endpoint_url=self.aws.url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def _seed(self):
        iam = self.client("iam")
        provider = self.issuer.split("://", 1)[1]
        iam.create_open_id_connect_provider(Url=self.issuer, ClientIDList=[CLIENT_ID], ThumbprintList=["0" * 40])
        iam.create_account_alias(AccountAlias=ACCOUNT_ALIAS)
        for name, groups, max_duration in self.roles:
            policy = {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{provider}"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {f"{provider}:aud": CLIENT_ID},
                        "ForAnyValue:StringLike": {f"{provider}:amr": groups},
                    },
                }],
            }
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(policy), MaxSessionDuration=max_duration)

    def role_arn(self, name):
        return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"

    @property
    def well_known_url(self):
        return f"{self.issuer}/.well-known/openid-configuration"

    def config_text(self, **overrides):
        """A maws config for this stack; keyword arguments add or replace keys."""
        settings = {
            "well_known_url": self.well_known_url,
            "client_id": CLIENT_ID,
            "idtoken_for_roles_url": f"{self.roles_api.url}/roles",
            "scope": "openid email",
            "sts_endpoint": self.aws.url,
            "federation_url": f"{self.federation.url}/federation",
        }
        settings.update(overrides)
        lines = ["[maws]"] + [f"{key} = {value}" for key, value in settings.items() if value is not None]
        return "\n".join(lines) + "\n"
