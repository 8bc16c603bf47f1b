"""The group-role map builder against moto: several accounts, aliases, every trust-policy shape."""

import json
import os
import subprocess

import pytest

from helpers import admin_client

OTHER = "444444444444"


@pytest.fixture(scope="module")
def other_account(stack):
    iam = admin_client(stack, "iam", OTHER)
    provider = stack.issuer.split("://", 1)[1]
    federated = f"arn:aws:iam::{OTHER}:oidc-provider/{provider}"

    def role(name, statement):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))

    def web(condition, principal=None):
        return {"Effect": "Allow", "Action": ["sts:AssumeRoleWithWebIdentity"],
                "Principal": principal or {"Federated": federated}, "Condition": condition}

    iam.create_role(RoleName="maws-role-reader", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}))
    role("Deployers", web({"StringEquals": {f"{provider}:amr": ["team-ops", "deployers"], f"{provider}:aud": "maws-test-client"}}))
    role("ListPrincipal", web({"StringLike": {f"{provider}:amr": "data-*"}},
                              {"Federated": ["arn:aws:iam::111111111111:oidc-provider/elsewhere", federated]}))
    role("StarPrincipal", web({"StringEquals": {f"{provider}:amr": "ops"}}, "*"))
    role("ForAll", web({"ForAllValues:StringLike": {f"{provider}:amr": "ops"}}))
    role("NotEquals", web({"StringNotEquals": {f"{provider}:amr": "contractors"}}))
    role("TwoConditions", web({"StringEquals": {f"{provider}:amr": "a"}, "StringLike": {f"{provider}:amr": "b*"}}))
    role("OtherClient", web({"StringEquals": {f"{provider}:amr": "ops", f"{provider}:aud": "someone-else"}}))
    role("Partners", {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                      "Principal": {"Federated": f"arn:aws:iam::{OTHER}:oidc-provider/login.partner.example"},
                      "Condition": {"StringEquals": {"login.partner.example:amr": "partners"}}})
    iam.create_account_alias(AccountAlias="other-sandbox")

    # The builder runs as the stack's IAM user of the hub account (the hub's reader role is the stack's).
    return (provider, *stack.builder_keys)


def write_config(tmp_path, stack, provider, manual=None):
    manual_path = tmp_path / "manual.json"
    manual_path.write_text(json.dumps(manual or {"555555555555": ["legacy-no-sso"]}))
    config = tmp_path / "builder.ini"
    config.write_text(f"""[builder]
provider = {provider}
client_id = maws-test-client
group_role_map = {tmp_path}/out/group-role-map.json
account_aliases = {tmp_path}/out/account-aliases.json
manual_aliases = {manual_path}
report = {tmp_path}/out/report.json
parallelism = 2

[provider partners]
provider = login.partner.example
client_id = partner-client

[account 123456789012]
role_arn = arn:aws:iam::123456789012:role/maws-role-reader

[account {OTHER}]
role_arn = arn:aws:iam::{OTHER}:role/maws-role-reader
""")
    return config


def run_builder(stack, config, keys=("testing", "testing")):
    env = {"PATH": os.environ["PATH"], "HOME": str(config.parent), "AWS_ENDPOINT_URL": stack.aws.url, "AWS_CA_BUNDLE": stack.ca_file,
           "AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1]}
    return subprocess.run([stack.roles_bin, "build", "-c", str(config)], env=env, capture_output=True, text=True, timeout=60)


def test_the_builder_maps_groups_to_roles_across_accounts(stack, other_account, tmp_path):
    provider, *keys = other_account
    config = write_config(tmp_path, stack, provider)
    result = run_builder(stack, config, keys)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    role_map = json.loads((out / "group-role-map.json").read_text())
    hub = "arn:aws:iam::123456789012:role"
    assert role_map["team-ops"] == [f"{hub}/Admin", f"arn:aws:iam::{OTHER}:role/Deployers"]
    assert role_map["deployers"] == [f"arn:aws:iam::{OTHER}:role/Deployers"]
    assert role_map["everyone"] == [f"{hub}/ReadOnly"]
    assert role_map["finance-*"] == [f"{hub}/Billing"]
    assert role_map["data-*"] == [f"arn:aws:iam::{OTHER}:role/ListPrincipal"]
    assert role_map["partners"] == [f"arn:aws:iam::{OTHER}:role/Partners"]  # the second accepted provider
    assert "ops" not in role_map  # StarPrincipal, ForAll and OtherClient grant nothing
    assert list(role_map) == sorted(role_map)

    aliases = json.loads((out / "account-aliases.json").read_text())
    assert aliases["123456789012"] == ["maws-demo"]
    assert aliases[OTHER] == ["other-sandbox"]
    assert aliases["555555555555"] == ["legacy-no-sso"]

    report = json.loads((out / "report.json").read_text())
    reasons = {entry["role"].rsplit("/", 1)[1]: entry["reason"] for entry in report["skipped"]}
    assert set(reasons) == {"ForAll", "NotEquals", "TwoConditions"}
    assert "ForAllValues:StringLike" in reasons["ForAll"] and "StringNotEquals" in reasons["NotEquals"]
    assert "skipped arn:aws:iam::444444444444:role/NotEquals" in result.stderr

    before = (out / "group-role-map.json").stat().st_mtime_ns
    again = run_builder(stack, config, keys)
    assert again.returncode == 0 and "nothing changed" in again.stderr
    assert (out / "group-role-map.json").stat().st_mtime_ns == before


def test_an_unreachable_account_is_reported_and_fails_the_run(stack, other_account, tmp_path):
    provider, *keys = other_account
    config = write_config(tmp_path, stack, provider)
    config.write_text(config.read_text().replace(f"role_arn = arn:aws:iam::{OTHER}:role/maws-role-reader",
                                                 f"role_arn = arn:aws:iam::{OTHER}:role/no-such-reader"))
    result = run_builder(stack, config, keys)
    assert result.returncode == 1
    assert "1 accounts failed" in result.stderr and "AccessDenied" in result.stderr
    assert json.loads((tmp_path / "out" / "group-role-map.json").read_text())["everyone"]


def test_a_bad_builder_config_is_one_clear_line(stack, tmp_path):
    config = tmp_path / "builder.ini"
    config.write_text("[builder]\nprovider = x\n")
    result = run_builder(stack, config)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("maws-roles: error: missing required setting client_id")
