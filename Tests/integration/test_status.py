"""`maws status`: what maws holds, without a network request; exit 0 only when something is valid."""

import json


def test_status_lists_what_a_sign_in_left_and_exits_0(maws, stack):
    assert maws.run("-o", "awscli", "--profile", "work", "-r", stack.role_arn("Admin")).returncode == 0
    idp, roles = stack.idp_log.count(), stack.roles_requests()
    result = maws.run("status", "--json", config=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is True
    (sign_in,) = report["signIns"]
    assert (sign_in["issuer"], sign_in["email"], sign_in["refreshToken"]) == (stack.issuer, "alice@example.com", True)
    (credentials,) = report["roleCredentials"]
    assert credentials["arn"] == stack.role_arn("Admin")
    assert credentials["actsAs"].endswith("assumed-role/Admin/alice@example.com")
    assert credentials["expires"].endswith("Z")
    assert [(p["profile"], p["role"]) for p in report["profiles"]] == [("work", stack.role_arn("Admin"))]
    table = maws.run("status", config=False)
    assert table.returncode == 0
    assert "alice@example.com at " + stack.issuer in table.stdout and "refresh token held" in table.stdout
    assert stack.role_arn("Admin") + ": " in table.stdout and " left (" in table.stdout
    assert "work in ~/.aws/credentials" in table.stdout
    import configparser

    written = configparser.RawConfigParser()
    written.read(maws.home / ".aws" / "credentials")
    for key in ("aws_secret_access_key", "aws_session_token"):  # names and times only, never a secret
        assert written["work"][key] not in table.stdout + result.stdout
    assert (stack.idp_log.count(), stack.roles_requests()) == (idp, roles)


def test_status_with_nothing_held_exits_1(maws):
    result = maws.run("status", config=False)
    assert result.returncode == 1
    assert "Signed in:\n  none" in result.stdout
    assert json.loads(maws.run("status", "--json", config=False).stdout)["valid"] is False
