"""The group-role map builder over a whole AWS Organization (moto's): every ACTIVE account that
ListAccounts pages through is entered with the reader role of one name, an account that cannot be
entered is reported and keeps nothing from failing the others, and closed or excluded accounts
are left alone."""

import json
import os
import subprocess
import time

import pytest

from maws_stack.stack import ACCOUNT_ALIAS, ACCOUNT_ID, CLIENT_ID

ACCOUNTS = 52
WITHOUT_READER = (3, 17)
CLOSED = (8,)
EXCLUDED = (30,)


@pytest.fixture(scope="module")
def organisation(stack):
    """The stack's account as management account, with ACCOUNTS members (made once: moto keeps
    them for the stack's life) and a role there that may list them."""
    accounts = stack.create_organization(ACCOUNTS, without_reader=WITHOUT_READER, closed=CLOSED)
    iam = stack.client("iam")
    try:
        iam.create_role(RoleName="maws-org-reader", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:user/role-map-builder"}}]}))
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    return accounts


def build(stack, directory, organization):
    provider = stack.issuer.split("://", 1)[1]
    ca_line = f"ca_bundle = {stack.ca_file}\n" if stack.ca_file else ""
    config = directory / "roles.ini"
    config.write_text(f"""[builder]
provider = {provider}
client_id = {CLIENT_ID}
group_role_map = {directory}/group-role-map.json
account_aliases = {directory}/account-aliases.json
report = {directory}/report.json
parallelism = 8
{ca_line}
[organization]
{organization}
""")
    env = {"PATH": os.environ["PATH"], "HOME": str(directory), "AWS_ENDPOINT_URL": stack.aws.url,
           "AWS_ACCESS_KEY_ID": stack.builder_keys[0], "AWS_SECRET_ACCESS_KEY": stack.builder_keys[1]}
    start = time.monotonic()
    result = subprocess.run([stack.roles_bin, "build", "-v", "-c", str(config)], env=env, capture_output=True, text=True,
                            timeout=300)
    return result, time.monotonic() - start


def test_every_active_account_of_the_organisation_is_scanned(stack, organisation, tmp_path):
    excluded = [organisation[index]["id"] for index in EXCLUDED]
    result, seconds = build(stack, tmp_path, "reader_role_name = maws-role-reader\n"
                                             f"role_arn = arn:aws:iam::{ACCOUNT_ID}:role/maws-org-reader\n"
                                             f"exclude = {' '.join(excluded)}\n")
    # Accounts it could not enter make the run fail (exit 1), after writing what it found.
    assert result.returncode == 1, result.stderr
    summary = next(line for line in result.stderr.splitlines() if "accounts in" in line)
    # The management account and the members, less the closed and the excluded ones.
    scanned = 1 + ACCOUNTS - len(CLOSED) - len(EXCLUDED)
    assert f"{scanned} accounts in" in summary, summary
    print(f"\n{summary} (wall {seconds:.1f} s)")

    report = json.loads((tmp_path / "report.json").read_text())
    failed = sorted(entry["role"] for entry in report["failed_accounts"])
    assert failed == sorted(f"arn:aws:iam::{organisation[index]['id']}:role/maws-role-reader" for index in WITHOUT_READER)
    assert all("AccessDenied" in entry["reason"] for entry in report["failed_accounts"])

    group_map = json.loads((tmp_path / "group-role-map.json").read_text())
    aliases = json.loads((tmp_path / "account-aliases.json").read_text())
    for index, account in enumerate(organisation):
        entered = account["reader"] and index not in CLOSED and index not in EXCLUDED
        for group, role in zip(account["groups"], account["roles"]):
            assert (group_map.get(group) == [role]) == entered, (index, group, group_map.get(group))
        assert (aliases.get(account["id"]) == [account["name"].replace("org-account", "org-acct")]) == entered
    # The management account's own roles are there too (it is one of the organisation's accounts).
    assert aliases[ACCOUNT_ID] == [ACCOUNT_ALIAS]


def test_listing_the_accounts_needs_a_role_it_may_assume(stack, organisation, tmp_path):
    result, _ = build(stack, tmp_path, "reader_role_name = maws-role-reader\n"
                                       f"role_arn = arn:aws:iam::{ACCOUNT_ID}:role/no-such-role\n")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("maws-roles: error: STS AssumeRole failed"), result.stderr
    assert not (tmp_path / "group-role-map.json").exists()


def test_the_organization_section_is_checked(stack, tmp_path):
    result, _ = build(stack, tmp_path, "reader_role_name = not a role name\n")
    assert result.returncode == 2
    assert "reader_role_name: 'not a role name' is not an IAM role name" in result.stderr
    result, _ = build(stack, tmp_path, "reader_role_name = maws-role-reader\nexclude = 12345\n")
    assert result.returncode == 2 and "'12345' is not a 12-digit account id" in result.stderr
