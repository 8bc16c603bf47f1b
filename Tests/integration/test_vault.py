"""`maws vault` and `--vault-role`: AWS credentials from HashiCorp Vault's AWS secrets engine, after a
JWT login with the ID token maws signs in for, against the stack's Vault stand-in (which follows the
Vault 1.17 API documentation, see Tests/stack/maws_stack/vault.py) and moto's STS and IAM."""

import json
import os
import re
import stat
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest

from helpers import AWS_CLI, caller_arn, exports_of

ACCOUNT = "123456789012"


@pytest.fixture
def vault(stack, maws):
    """The stack's Vault as the tests start from it, and a maws config pointing at it."""
    stack.vault_app.reset()
    stack.vault_app.configure_default()
    maws.write_config(**stack.vault_config())
    yield stack.vault_app
    stack.vault_app.reset()
    stack.vault_app.configure_default()


def secrets_absent(*texts):
    """No Vault token and no ID token (a JWT) in what maws printed."""
    for text in texts:
        assert "hvs." not in text
        assert not re.search(r"eyJ[\w-]+\.eyJ[\w-]+\.", text)


def cache_files(maws, prefix):
    directory = maws.home / "cache" / "maws"
    return sorted(directory.glob(prefix + "-*.json")) if directory.exists() else []


def test_sts_credentials_from_vault_work_and_are_cached_with_the_vault_token(maws, stack, vault):
    first = maws.run("vault", "--role", "readonly")
    assert first.returncode == 0, first.stderr
    exports = exports_of(first.stdout)
    assert exports["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert exports["AWS_ACCOUNT_ID"] == ACCOUNT
    assert re.fullmatch(rf"arn:aws:sts::{ACCOUNT}:assumed-role/ReadOnly/vault-.*", caller_arn(maws.aws_env(first.stdout)))
    secrets_absent(first.stdout, first.stderr)
    # The login carried the ID token in its body, with the auth method's default role.
    login = vault.last_body("auth/jwt/login")
    assert set(login) == {"jwt"} and login["jwt"].count(".") == 2
    assert all(entry["vault_request"] == "true" for entry in vault.requests)
    assert all(not entry["query"] for entry in vault.requests), "nothing travels in a URL"

    # Cached: no Vault request at all; a second role reuses the Vault token.
    again = maws.run("vault", "--role", "readonly")
    assert again.returncode == 0, again.stderr
    assert exports_of(again.stdout)["AWS_ACCESS_KEY_ID"] == exports["AWS_ACCESS_KEY_ID"]
    assert (vault.logins(), vault.reads("readonly")) == (1, 1)
    federated = maws.run("vault", "--role", "federated", "-o", "boto")
    assert federated.returncode == 0, federated.stderr
    assert (vault.logins(), vault.reads("federated")) == (1, 1)
    keys = json.loads(federated.stdout)
    sts = stack.client("sts", **keys)
    assert re.fullmatch(rf"arn:aws:sts::{ACCOUNT}:federated-user/vault-.*", sts.get_caller_identity()["Arn"])

    # The token and the credentials are cached as private files.
    for path in cache_files(maws, "vault-token") + cache_files(maws, "vault-credentials"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(cache_files(maws, "vault-token")) == 1 and len(cache_files(maws, "vault-credentials")) == 2

    # `maws status` names them, never the token.
    status = maws.run("status", "--json", config=False)
    report = json.loads(status.stdout)
    assert [t["arn"] for t in report["vaultTokens"]] == [stack.vault.url]
    assert sorted(c["arn"] for c in report["vaultCredentials"]) == [f"aws/federated at {stack.vault.url}", f"aws/readonly at {stack.vault.url}"]
    text = maws.run("status", config=False).stdout
    assert "Vault tokens:\n  " + stack.vault.url in text
    secrets_absent(status.stdout, text)

    # --no-cache asks Vault again, with the cached token.
    fresh = maws.run("vault", "--role", "readonly", "--no-cache")
    assert fresh.returncode == 0, fresh.stderr
    assert (vault.logins(), vault.reads("readonly")) == (1, 2)


def test_the_configured_auth_role_namespace_mounts_and_ttl_are_used(maws, stack, vault):
    vault.namespace = "team-a"
    vault.auth_mount = "oidc/corp"
    vault.aws_mount = "cloud/aws"
    maws.write_config(**stack.vault_config(vault_auth_role="maws"))
    before = time.time()
    result = maws.run("vault", "--role", "readonly", "--ttl", "15m", "-o", "js")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sessionToken"]
    assert vault.last_body("auth/oidc/corp/login")["role"] == "maws"
    assert vault.last_body("cloud/aws/sts/readonly") == {"ttl": "900s"}
    assert {entry["namespace"] for entry in vault.requests} == {"team-a"}

    # The expiry is the lease's: 15 minutes, as asked.
    exported = maws.run("vault", "--role", "readonly", "--ttl", "900")
    expiry = datetime.strptime(exports_of(exported.stdout)["AWS_CREDENTIAL_EXPIRATION"], "%Y-%m-%dT%H:%M:%SZ")
    lasts = expiry.replace(tzinfo=timezone.utc).timestamp() - before
    assert 850 <= lasts <= 910, lasts

    # vault_ttl in the config is the default for --ttl.
    maws.write_config(**stack.vault_config(vault_auth_role="maws", vault_ttl="20m"))
    assert maws.run("vault", "--role", "readonly").returncode == 0
    assert vault.last_body("cloud/aws/sts/readonly") == {"ttl": "1200s"}


def test_iam_user_keys_are_handed_over_once_aws_accepts_them(maws, stack, vault):
    vault.iam_user_propagation_seconds = 3
    started = time.time()
    result = maws.run("vault", "--role", "deployer", "-o", "awscli", "--profile", "deploy")
    assert result.returncode == 0, result.stderr
    assert time.time() - started >= 3, "maws waited for IAM"
    assert "waiting for AWS to accept the IAM user keys" in result.stderr
    credentials = (maws.home / ".aws" / "credentials").read_text()
    assert "aws_session_token" not in credentials
    # Usable the moment maws hands them over, by the AWS CLI and boto3.
    env = {"PATH": os.environ["PATH"], "HOME": str(maws.home), "AWS_PROFILE": "deploy", "AWS_ENDPOINT_URL": stack.aws.url,
           "AWS_CA_BUNDLE": stack.ca_file, "AWS_DEFAULT_REGION": "us-east-1"}
    assert re.fullmatch(rf"arn:aws:iam::{ACCOUNT}:user/vault-.*deployer.*", caller_arn(env))

    # A second lease's keys replace the first ones in the profile maws wrote (they are maws's,
    # though they look long-lived).
    again = maws.run("vault", "--role", "deployer", "-o", "awscli", "--profile", "deploy", "--no-cache")
    assert again.returncode == 0, again.stderr
    assert (maws.home / ".aws" / "credentials").read_text() != credentials


def test_credential_process_and_exec_take_a_vault_role(maws, stack, vault):
    config = maws.home / ".aws" / "config"
    config.parent.mkdir(exist_ok=True)
    config.write_text(f"[profile vault]\ncredential_process = {maws.binary} credential-process -c {maws.config} --vault-role readonly\n")
    env = maws.env(AWS_PROFILE="vault", AWS_CONFIG_FILE=str(config), AWS_ENDPOINT_URL=stack.aws.url,
                   AWS_CA_BUNDLE=stack.ca_file, AWS_DEFAULT_REGION="us-east-1")
    cli = subprocess.run([AWS_CLI, "sts", "get-caller-identity"], env=env, capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert cli.returncode == 0, cli.stderr
    assert "assumed-role/ReadOnly/vault-" in json.loads(cli.stdout)["Arn"]

    # IAM user keys: the document has no SessionToken.
    document = maws.run("credential-process", "--vault-role", "deployer")
    assert document.returncode == 0, document.stderr
    parsed = json.loads(document.stdout)
    assert set(parsed) == {"Version", "AccessKeyId", "SecretAccessKey", "Expiration", "AccountId"}

    probe = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    aws = {"AWS_ENDPOINT_URL": stack.aws.url, "AWS_CA_BUNDLE": stack.ca_file, "AWS_DEFAULT_REGION": "us-east-1"}
    for mode in ([], ["--server"]):
        result = maws.run("exec", *mode, "--vault-role", "deployer", "--", sys.executable, "-c", probe, env=aws)
        assert result.returncode == 0, result.stderr
        assert f":user/vault-" in result.stdout

    both = maws.run("credential-process", "--vault-role", "readonly", "-r", stack.role_arn("Admin"))
    assert both.returncode == 2 and "exclude each other" in both.stderr


def test_logout_revokes_the_vault_token_and_with_it_the_iam_user(maws, stack, vault):
    result = maws.run("vault", "--role", "deployer", "-o", "awscli", "--profile", "deploy")
    assert result.returncode == 0, result.stderr
    users = [u["UserName"] for u in stack.client("iam").list_users()["Users"] if u["UserName"].startswith("vault-")]
    assert len(users) == 1

    logout = maws.run("logout", "--profile", "deploy")
    assert logout.returncode == 0, logout.stderr
    assert "1 Vault token (revoked at Vault)" in logout.stderr
    assert vault.revocations() == 1
    assert users[0] not in [u["UserName"] for u in stack.client("iam").list_users()["Users"]]
    assert "[deploy]" not in (maws.home / ".aws" / "credentials").read_text()
    assert cache_files(maws, "vault-token") == [] and cache_files(maws, "vault-credentials") == []

    # --all revokes every cached token; one Vault no longer knows is just gone.
    assert maws.run("vault", "--role", "readonly").returncode == 0
    vault.expire_tokens()
    everything = maws.run("logout", "--all")
    assert everything.returncode == 0, everything.stderr
    assert cache_files(maws, "vault-token") == []


def test_revoking_a_token_for_one_profile_drops_the_dead_keys_of_its_other_leases(maws, stack, vault):
    vault.aws_roles["builder"] = dict(vault.aws_roles["deployer"])
    assert maws.run("vault", "--role", "deployer", "-o", "awscli", "--profile", "deploy").returncode == 0
    assert maws.run("vault", "--role", "builder").returncode == 0
    assert maws.run("logout", "--profile", "deploy").returncode == 0
    # builder's IAM user went with the token: maws logs in again instead of handing over dead keys.
    again = maws.run("vault", "--role", "builder", "-o", "boto")
    assert again.returncode == 0, again.stderr
    assert vault.logins() == 2
    assert ":user/vault-" in stack.client("sts", **json.loads(again.stdout)).get_caller_identity()["Arn"]


def test_a_cached_vault_token_needs_no_valid_id_token(maws, stack, vault):
    assert maws.run("vault", "--role", "readonly").returncode == 0
    # The ID token has expired and there is no refresh token: only a browser could get a new one.
    (session,) = (maws.home / "cache" / "maws").glob("session-*.json")
    entry = json.loads(session.read_text())
    entry["claims"]["exp"] = time.time() - 60
    entry["refreshToken"] = None
    session.write_text(json.dumps(entry))
    result = maws.run("vault", "--role", "federated", "--no-browser")
    assert result.returncode == 0, result.stderr
    assert "sign-in" not in result.stderr
    assert vault.logins() == 1


def test_a_token_vault_no_longer_accepts_is_replaced_by_a_new_login(maws, stack, vault):
    assert maws.run("vault", "--role", "readonly").returncode == 0
    vault.expire_tokens()
    result = maws.run("vault", "--role", "readonly", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert "Vault refused the cached Vault token" in result.stderr
    assert vault.logins() == 2


@pytest.mark.parametrize("setup, role, status, words", [
    (lambda v: v.jwt_roles["maws"].update(token_policies=["readonly"]), "federated", 403,
     "permission denied); your Vault token's policies do not allow this"),
    (lambda v: None, "nosuchrole", 400, 'Role "nosuchrole" not found'),
    (lambda v: setattr(v, "sealed", True), "readonly", 503, "Vault is sealed"),
    (lambda v: setattr(v, "namespace", "team-a"), "readonly", 403, "check vault_auth_mount and vault_namespace"),
])
def test_vaults_refusals_are_one_line_without_secrets(maws, stack, vault, setup, role, status, words):
    setup(vault)
    result = maws.run("vault", "--role", role)
    assert result.returncode == 1
    assert result.stdout == ""
    # After the sign-in's progress line, the error: one line.
    error = result.stderr.strip().splitlines()[-1]
    assert [line for line in result.stderr.splitlines() if "error" in line] == [error]
    assert error.startswith("maws: error: Vault refused ")
    assert f"HTTP {status}" in error and words in error, error
    secrets_absent(result.stderr)


def test_a_person_the_vault_role_does_not_bind_is_refused_at_login(maws, stack, vault):
    result = maws.run("vault", "--role", "readonly", user="mallory")
    assert result.returncode == 1
    assert "Vault refused auth/jwt/login (HTTP 400: error validating claims" in result.stderr
    assert "check vault_auth_role" in result.stderr
    secrets_absent(result.stdout, result.stderr)


def test_settings_are_checked_before_anyone_signs_in(maws, stack, vault):
    maws.write_config()  # no vault_addr
    missing = maws.run("vault", "--role", "readonly")
    assert missing.returncode == 2 and "needs vault_addr" in missing.stderr
    bad = maws.run("vault", "--role", "../sys/raw")
    assert bad.returncode == 2 and "is not a Vault role name" in bad.stderr
    short = maws.run("vault", "--role", "readonly", "--ttl", "1m")
    assert short.returncode == 2 and "--ttl must be a duration" in short.stderr
    assert vault.requests == []
