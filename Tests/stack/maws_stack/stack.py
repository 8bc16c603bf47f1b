"""Starts and seeds the whole local stack."""

import json
import os
import secrets
import subprocess
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import boto3
import trustme
from botocore.config import Config

from . import idp
from .federation import FederationEndpoint
from .recorder import RequestLog
from .server import BackgroundServer, ReverseProxy, free_port
from .sts import AWSServer
from .tokens import IssuerKeys
from .vault import VaultServer

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
    # In more directory groups than STS accepts in a token, one of them mapped to a role.
    DemoUser("carol", "carol@example.com", ["team-ops"] + [f"directory-group-{n:02}" for n in range(59)]),
]

# (role name, groups allowed by its trust policy, MaxSessionDuration)
DEFAULT_ROLES = [
    ("Admin", ["team-ops"], 43200),
    ("ReadOnly", ["everyone"], 3600),
    ("Billing", ["finance-*"], 3600),
]


ROOT = Path(__file__).resolve().parents[3]


def _web_identity_trust(account, provider, groups):
    """The trust policy of a role for the IdP's users in `groups` (StringLike patterns), as maws-roles maps them."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{account}:oidc-provider/{provider}"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{provider}:aud": CLIENT_ID},
                "ForAnyValue:StringLike": {f"{provider}:amr": groups},
            },
        }],
    }


def roles_binary():
    """The project's maws-roles: $MAWS_ROLES_BIN, else beside $MAWS_BIN, else the debug build."""
    if os.environ.get("MAWS_ROLES_BIN"):
        return os.environ["MAWS_ROLES_BIN"]
    if os.environ.get("MAWS_BIN"):
        return str(Path(os.environ["MAWS_BIN"]).parent / "maws-roles")
    return str(ROOT / ".build" / "debug" / "maws-roles")


class Stack:
    """The IdP, AWS (STS, IAM, S3, Organizations), the AWS federation endpoint, a HashiCorp Vault stand-in
    (`vault_app`, set up by its `configure_default`) and the project's roles API server, each on a
    free 127.0.0.1 port, over HTTPS with a certificate from a certificate authority made
    for this run (`ca_file` is its certificate, to trust). `tls=False` serves plain HTTP instead
    (maws accepts it on loopback)."""

    def __init__(self, users=DEFAULT_USERS, roles=DEFAULT_ROLES, token_max_age=timedelta(hours=1), roles_bin=None, tls=True):
        self.users = list(users)
        self.roles = list(roles)
        self.token_max_age = token_max_age
        self.roles_bin = roles_bin or roles_binary()
        self.tls = tls
        self._servers = []
        self._roles_process = None
        self._member_accounts = 0  # how many accounts create_organization has made
        self.ca = trustme.CA(organization_name="maws test stack")
        self.certificate = self.ca.issue_cert("127.0.0.1", "localhost")
        self._files = Path(tempfile.mkdtemp(prefix="maws-stack-"))
        self.ca_file = str(self._files / "ca.pem") if tls else None
        if tls:
            self.ca.cert_pem.write_to_path(self.ca_file)
            # The stack's own clients trust the run's CA: boto3 here and in the federation
            # endpoint, and the scripted user agent when a test drives it in this process.
            os.environ["AWS_CA_BUNDLE"] = self.ca_file
            os.environ["MAWS_TEST_CA"] = self.ca_file

    def server_context(self, certificate=None):
        """An SSL context serving `certificate` (the stack's own by default), or None for plain HTTP."""
        if not self.tls:
            return None
        import ssl

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        (certificate or self.certificate).configure_cert(context)
        return context

    def client_context(self):
        """An SSL context for the stack's own HTTPS clients, trusting only the run's CA."""
        import ssl

        return ssl.create_default_context(cafile=self.ca_file) if self.tls else None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        if not self.tls:
            os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
        users = {u.sub: {"email": u.email, "amr": u.groups} for u in self.users}
        self.idp_app = idp.create_app(users, self.token_max_age)
        self.idp_log = RequestLog(self.idp_app)
        self.idp = self._serve(self.idp_log, "idp")
        self.issuer = self.idp.url
        keys = IssuerKeys(self.issuer, self.client_context())
        self.aws_app = AWSServer(keys, CLIENT_ID)
        self.aws = self._serve(self.aws_app, "aws")
        self.federation_app = FederationEndpoint(self.aws.url)
        self.federation = self._serve(self.federation_app, "federation")
        # Vault reaches AWS as any client does (with the stack's admin keys) and tells the AWS layer
        # about the keys moto does not track (federation tokens, IAM keys not yet propagated).
        self.vault_app = VaultServer(keys, self.aws.url, self.aws_app.signed, ca_file=self.ca_file,
                                     account_id=ACCOUNT_ID, client_id=CLIENT_ID).configure_default()
        self.vault = self._serve(self.vault_app, "vault")
        self._seed()
        self._start_roles_api()
        return self

    def stop(self):
        if self._roles_process and self._roles_process.poll() is None:
            self._roles_process.terminate()
            self._roles_process.wait(timeout=15)
        for server in reversed(self._servers):
            server.stop()
        self._servers.clear()

    def _start_roles_api(self):
        """Builds the group-role map from moto's IAM with `maws-roles build`, then serves it with
        `maws-roles serve`, as an organisation would run them."""
        self.roles_dir = Path(tempfile.mkdtemp(prefix="maws-roles-"))
        port = free_port()
        config = self.roles_dir / "roles.ini"
        # maws-roles trusts the run's CA through its config key (maws itself through its own).
        ca_line = f"ca_bundle = {self.ca_file}\n" if self.tls else ""
        # The secret the IdP's sign-in hook presents to POST /filter-groups.
        self.filter_groups_secret = secrets.token_urlsafe(24)
        secret_file = self.roles_dir / "filter-groups.secret"
        secret_file.write_text(self.filter_groups_secret + "\n")
        secret_file.chmod(0o600)
        config.write_text(f"""[api]
well_known_url = {self.well_known_url}
client_id = {CLIENT_ID}
group_role_map = {self.roles_dir}/group-role-map.json
account_aliases = {self.roles_dir}/account-aliases.json
listen = 127.0.0.1:{port}
filter_groups_secret_file = {secret_file}
{ca_line}
[builder]
provider = {self.issuer.split("://", 1)[1]}
client_id = {CLIENT_ID}
group_role_map = {self.roles_dir}/group-role-map.json
account_aliases = {self.roles_dir}/account-aliases.json
{ca_line}
[account {ACCOUNT_ID}]
role_arn = arn:aws:iam::{ACCOUNT_ID}:role/maws-role-reader
""")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.roles_dir), "AWS_ENDPOINT_URL": self.aws.url,
               "AWS_ACCESS_KEY_ID": self.builder_keys[0], "AWS_SECRET_ACCESS_KEY": self.builder_keys[1]}
        build = subprocess.run([self.roles_bin, "build", "-c", str(config)], env=env, capture_output=True, text=True, timeout=60)
        if build.returncode != 0:
            raise RuntimeError(f"maws-roles build failed: {build.stderr}")
        self.roles_log = self.roles_dir / "access.log"
        self._roles_process = subprocess.Popen([self.roles_bin, "serve", "-c", str(config)], env=env,
                                               stdout=subprocess.DEVNULL, stderr=open(self.roles_log, "w"))
        self.roles_backend_url = f"http://127.0.0.1:{port}"
        # maws-roles serves plain HTTP; over TLS, the stack puts an HTTPS front before it.
        self.roles_api = self._serve(ReverseProxy(port), "roles-api") if self.tls else type(
            "RolesAPIServer", (), {"url": self.roles_backend_url, "port": port})()
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.roles_backend_url}/healthz", timeout=2).read()
                return
            except OSError:
                if time.time() > deadline or self._roles_process.poll() is not None:
                    raise RuntimeError("maws-roles serve did not start: " + self.roles_log.read_text())
                time.sleep(0.1)

    def filter_groups_at_the_idp(self, enabled=True):
        """Makes the IdP filter each person's groups through maws-roles' POST /filter-groups when it
        issues a token, as an Auth0 Action or an Okta inline hook would (off: all groups)."""
        def hook(claims):
            if "amr" not in claims:
                return claims
            request = urllib.request.Request(
                f"{self.roles_api.url}/filter-groups", data=json.dumps({"groups": claims["amr"]}).encode(), method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.filter_groups_secret}"})
            with urllib.request.urlopen(request, timeout=10, context=self.client_context()) as response:
                return dict(claims, amr=json.load(response)["groups"])

        idp.CLAIMS_HOOK = hook if enabled else None

    def roles_requests(self):
        """How many requests to /roles the roles API has answered, from its /metrics: exact at once,
        where its access log is written in batches."""
        with urllib.request.urlopen(f"{self.roles_backend_url}/metrics", timeout=10) as response:
            text = response.read().decode()
        return sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines()
                   if line.startswith('maws_roles_requests_total{endpoint="/roles",'))

    def _serve(self, app, name):
        server = BackgroundServer(app, name, self.server_context()).start()
        self._servers.append(server)
        return server

    def client(self, service, **credentials):
        """A boto3 client of the stack's AWS: with the keys the stack seeds moto with, or with the
        given aws_access_key_id, aws_secret_access_key and aws_session_token. S3 clients sign their
        bodies (over HTTPS boto3 would otherwise send uploads unsigned, which the stack refuses), path-style."""
        credentials = credentials or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        config = Config(request_checksum_calculation="when_required",
                        s3={"payload_signing_enabled": True, "addressing_style": "path"}) if service == "s3" else None
        return boto3.client(service, endpoint_url=self.aws.url, region_name="us-east-1", verify=self.ca_file, config=config,
                            **credentials)

    def _seed(self):
        iam = self.client("iam")
        provider = self.issuer.split("://", 1)[1]
        iam.create_open_id_connect_provider(Url=self.issuer, ClientIDList=[CLIENT_ID], ThumbprintList=["0" * 40])
        iam.create_account_alias(AccountAlias=ACCOUNT_ALIAS)
        # What the group-role map builder runs as: an IAM user, and a reader role it assumes.
        iam.create_role(RoleName="maws-role-reader", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"}, "Action": "sts:AssumeRole"}]}))
        iam.create_user(UserName="role-map-builder")
        key = iam.create_access_key(UserName="role-map-builder")["AccessKey"]
        self.builder_keys = (key["AccessKeyId"], key["SecretAccessKey"])
        for name, groups, max_duration in self.roles:
            policy = _web_identity_trust(ACCOUNT_ID, provider, groups)
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(policy), MaxSessionDuration=max_duration)

    def create_bucket(self, name):
        """Creates an S3 bucket in the stack's AWS (where maws-roles may keep its maps); its name."""
        self.client("s3").create_bucket(Bucket=name)
        return name

    def create_organization(self, accounts, reader_role_name="maws-role-reader", without_reader=(), closed=(),
                            federated_roles=1):
        """Makes the stack's account the management account of an AWS Organization (if it is not yet)
        and creates `accounts` member accounts in it, each set up as an organisation's would be for
        maws-roles: the IdP's OIDC provider; `federated_roles` roles (Team0, Team1...) trusting it for
        web identity like the stack's own, admitting the groups team-N, team-N-1, team-N-2... (N numbers
        the stack's member accounts from 0, over every call); the account alias org-acct-N; and the
        reader role `reader_role_name`, which the builder (the IAM user role-map-builder) may assume,
        except in the accounts whose index in this call is in `without_reader`. The accounts whose
        index is in `closed` are then closed (SUSPENDED in ListAccounts). Each account is set up as
        AWS lets its management account: through the OrganizationAccountAccessRole CreateAccount makes.

        Returns, per account, {"id", "name", "status", "reader": bool, "groups": [...], "roles": [arns]}."""
        organizations, sts = self.client("organizations"), self.client("sts")
        try:
            organizations.create_organization(FeatureSet="ALL")
        except organizations.exceptions.AlreadyInOrganizationException:
            pass
        provider = self.issuer.split("://", 1)[1]
        builder = f"arn:aws:iam::{ACCOUNT_ID}:user/role-map-builder"
        reader_trust = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": builder}, "Action": "sts:AssumeRole"}]})
        first, self._member_accounts = self._member_accounts, self._member_accounts + accounts
        clients = threading.Lock()

        def create(index):
            number = first + index
            name = f"org-account-{number}"
            created = organizations.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
            account = created["AccountId"]
            keys = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                                   RoleSessionName="stack")["Credentials"]
            with clients:  # boto3's default session makes one client at a time
                iam = self.client("iam", aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
                                  aws_session_token=keys["SessionToken"])
            iam.create_open_id_connect_provider(Url=self.issuer, ClientIDList=[CLIENT_ID], ThumbprintList=["0" * 40])
            iam.create_account_alias(AccountAlias=f"org-acct-{number}")
            reader = index not in without_reader
            if reader:
                iam.create_role(RoleName=reader_role_name, AssumeRolePolicyDocument=reader_trust)
            groups = [f"team-{number}" + (f"-{k}" if k else "") for k in range(federated_roles)]
            roles = [iam.create_role(RoleName=f"Team{k}", AssumeRolePolicyDocument=json.dumps(_web_identity_trust(
                account, provider, [group])))["Role"]["Arn"] for k, group in enumerate(groups)]
            status = "ACTIVE"
            if index in closed:
                organizations.close_account(AccountId=account)
                status = "SUSPENDED"
            return {"id": account, "name": name, "status": status, "reader": reader, "groups": groups, "roles": roles}

        # A few at a time: most of each request's time is the TLS handshake and the wait for the answer.
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(create, range(accounts)))

    def role_arn(self, name):
        return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"

    @property
    def well_known_url(self):
        return f"{self.issuer}/.well-known/openid-configuration"

    def vault_config(self, **overrides):
        """The `vault_*` keys of a maws config for the stack's Vault, as it is set up now: pass them
        to `config_text`. Keyword arguments add or replace keys; None drops one. `vault_auth_role`
        is left out (maws then uses the auth method's default_role) unless given."""
        settings = {
            "vault_addr": self.vault.url,
            "vault_auth_mount": self.vault_app.auth_mount,
            "vault_aws_mount": self.vault_app.aws_mount,
            "vault_namespace": self.vault_app.namespace,
        }
        settings.update(overrides)
        return {key: value for key, value in settings.items() if value is not None}

    def config_text(self, **overrides):
        """A maws config for this stack; keyword arguments add or replace keys."""
        settings = {
            "well_known_url": self.well_known_url,
            "client_id": CLIENT_ID,
            "idtoken_for_roles_url": f"{self.roles_api.url}/roles",
            "scope": "openid email",
            "sts_endpoint": self.aws.url,
            "federation_url": f"{self.federation.url}/federation",
            "ca_bundle": self.ca_file,
        }
        settings.update(overrides)
        lines = ["[maws]"] + [f"{key} = {value}" for key, value in settings.items() if value is not None]
        return "\n".join(lines) + "\n"
