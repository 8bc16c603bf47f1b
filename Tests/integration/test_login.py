"""The core login, end to end: real IdP (PKCE required), real STS semantics, real AWS clients."""

import json
import os
import socket
import subprocess
import time
from datetime import datetime, timezone

import pexpect
import pytest

from helpers import boto3_caller_arn, caller_arn, exit_status, exports_of, interrupted, terminal_mode_on
from maws_stack.server import free_port


def test_login_prints_exports_the_aws_cli_accepts(maws, stack):
    result = maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    exports = exports_of(result.stdout)
    assert set(exports) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                            "AWS_SESSION_EXPIRATION", "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID", "MAWS_PROMPT"}
    assert exports["AWS_ACCOUNT_ID"] == "123456789012"
    assert exports["AWS_CREDENTIAL_EXPIRATION"] == exports["AWS_SESSION_EXPIRATION"]
    assert result.stdout.rstrip().endswith("unset AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE;")
    assert exports["MAWS_PROMPT"] == "maws-demo-Admin"
    assert f"Environment variables set for role {stack.role_arn('Admin')}" in result.stderr
    # Secrets go to stdout only.
    assert exports["AWS_SECRET_ACCESS_KEY"] not in result.stderr
    assert exports["AWS_SESSION_TOKEN"] not in result.stderr

    arn = caller_arn(maws.aws_env(result.stdout))
    assert arn == "arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com"


def test_unquoted_eval_and_process_substitution_both_work(maws, stack):
    result = maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    expected = exports_of(result.stdout)["AWS_ACCESS_KEY_ID"]
    for form in ['eval $(cat "$F")', 'eval "$(cat "$F")"', 'source <(cat "$F")']:
        path = maws.home / "out.sh"
        path.write_text(result.stdout)
        shell = subprocess.run(["bash", "-c", f'export AWS_PROFILE=old; {form}; echo "$AWS_ACCESS_KEY_ID|${{AWS_PROFILE-unset}}"'],
                               env={"PATH": os.environ["PATH"], "F": str(path)}, capture_output=True, text=True, check=True)
        assert shell.stdout.strip() == f"{expected}|unset", form


def test_boto3_reads_the_printed_variables(maws, stack):
    result = maws.run("-r", stack.role_arn("ReadOnly"), user="bob")
    assert result.returncode == 0, result.stderr
    assert boto3_caller_arn(stack, exports_of(result.stdout)).endswith("assumed-role/ReadOnly/bob@example.com")


def test_the_idp_denying_access_ends_the_run(maws, stack):
    result = maws.run("-r", stack.role_arn("Admin"), action="deny")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "refused the sign-in: access_denied" in result.stderr
    assert len(result.stderr.strip().splitlines()[-1]) < 300


def test_an_occupied_first_port_moves_to_the_next(maws, stack):
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the previous test's port may be in TIME_WAIT
    blocker.bind(("127.0.0.1", 10800))
    blocker.listen(1)
    try:
        result = maws.run("-v", "-r", stack.role_arn("Admin"))
    finally:
        blocker.close()
    assert result.returncode == 0, result.stderr
    assert "127.0.0.1:10801" in result.stderr


def test_an_unreachable_idp_is_a_clear_error(maws):
    port = free_port()
    maws.write_config(well_known_url=f"http://127.0.0.1:{port}/.well-known/openid-configuration")
    started = time.monotonic()
    result = maws.run("-r", "arn:aws:iam::123456789012:role/Admin")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == f"maws: error: cannot connect to 127.0.0.1 (connection refused or unreachable); " \
                                    "check that the service is up and the URL in your maws config"
    assert time.monotonic() - started < 10


def test_a_role_your_groups_do_not_allow_is_denied_with_advice(maws, stack):
    result = maws.run("-r", stack.role_arn("Admin"), user="bob")
    assert result.returncode == 1
    assert "AWS denied assuming arn:aws:iam::123456789012:role/Admin" in result.stderr
    assert "role map" in result.stderr


def test_duration_steps_down_and_is_remembered(maws, stack):
    before = stack.aws_app.actions_seen("AssumeRoleWithWebIdentity")
    result = maws.run("-r", stack.role_arn("ReadOnly"), user="bob")
    assert result.returncode == 0, result.stderr
    # 43200, 28800, 14400 and 7200 exceed ReadOnly's MaxSessionDuration of 3600.
    assert stack.aws_app.actions_seen("AssumeRoleWithWebIdentity") - before == 5
    expiration = datetime.fromisoformat(exports_of(result.stdout)["AWS_SESSION_EXPIRATION"].replace("Z", "+00:00"))
    remaining = (expiration - datetime.now(timezone.utc)).total_seconds()
    assert 3500 < remaining <= 3600
    remembered = json.loads((maws.home / "cache" / "maws" / "role-durations.json").read_text())
    assert remembered == {stack.role_arn("ReadOnly"): 3600}
    assert oct((maws.home / "cache" / "maws" / "role-durations.json").stat().st_mode & 0o777) == "0o600"
    assert oct((maws.home / "cache" / "maws").stat().st_mode & 0o777) == "0o700"

    # Fresh credentials (--no-cache) ask for the remembered duration straight away.
    before = stack.aws_app.actions_seen("AssumeRoleWithWebIdentity")
    again = maws.run("--no-cache", "-r", stack.role_arn("ReadOnly"), user="bob")
    assert again.returncode == 0, again.stderr
    assert stack.aws_app.actions_seen("AssumeRoleWithWebIdentity") - before == 1


def test_an_expired_token_at_sts_signs_in_again_once(maws, stack):
    stack.aws_app.clock_skew = 7200  # STS's clock is two hours ahead: every token looks expired there.
    before = stack.aws_app.actions_seen("AssumeRoleWithWebIdentity")
    result = maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 1
    assert "signing in again" in result.stderr
    assert "AWS says the ID token has expired" in result.stderr.strip().splitlines()[-1]
    assert stack.aws_app.actions_seen("AssumeRoleWithWebIdentity") - before == 2


def test_a_single_listed_role_is_picked_without_asking(maws, stack):
    result = maws.run(user="bob")
    assert result.returncode == 0, result.stderr
    assert exports_of(result.stdout)["MAWS_PROMPT"] == "maws-demo-ReadOnly"


def test_no_listed_roles_is_an_error(maws):
    result = maws.run(user="mallory")
    assert result.returncode == 1
    assert "lists no AWS roles for you" in result.stderr


def test_several_roles_without_a_terminal_ask_for_role_arn(maws):
    result = maws.run("--picker", "terminal", user="alice")
    assert result.returncode == 1
    assert "no terminal to choose a role on; pass -r/--role-arn ARN" in result.stderr


def test_the_picker_narrows_as_you_type_and_enter_picks(maws):
    output = maws.home / "out.sh"
    env = maws.env("alice")
    child = pexpect.spawn("bash", ["-c", f'"{maws.binary}" -c "{maws.config}" --picker terminal > "{output}"'], env=env,
                          encoding="utf-8", timeout=30, dimensions=(30, 100))
    child.expect("Choose a role")
    child.expect("maws-demo \\(123456789012\\)")
    child.send("read")
    child.expect("Filter: read")
    child.send("\r")
    child.expect("Role: arn:aws:iam::123456789012:role/ReadOnly")
    assert exit_status(child) == 0
    assert exports_of(output.read_text())["MAWS_PROMPT"] == "maws-demo-ReadOnly"


def test_escape_cancels_the_picker(maws):
    child = pexpect.spawn(maws.binary, ["-c", str(maws.config), "--picker", "terminal"], env=maws.env("alice"), encoding="utf-8",
                          timeout=30)
    child.expect("Choose a role")
    child.send("\x1b")
    child.expect("no role chosen")
    assert exit_status(child) == 1


def test_ctrl_c_in_the_picker_restores_the_terminal_and_exits_130(maws):
    status, settings = interrupted(f'"{maws.binary}" -c "{maws.config}" --picker terminal', "Choose a role", maws.env("alice"))
    assert status == 130
    assert terminal_mode_on(settings, "icanon") and terminal_mode_on(settings, "echo")


def test_help_shows_the_sign_in_options_then_the_subcommands(maws):
    result = subprocess.run([maws.binary, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == ""
    text = result.stdout
    assert "USAGE: maws [login] [<options>]" in text
    assert text.index("OPTIONS (of login, the default command):") < text.index("-r, --role-arn <ARN>") < text.index("SUBCOMMANDS:")
    for option in ("--batch", "--output", "--profile", "--shell", "--web-console", "--print-url", "--no-browser"):
        assert option in text
    assert "credential-process" in text[text.index("SUBCOMMANDS:"):]
    assert subprocess.run([maws.binary, "-h"], capture_output=True, text=True).stdout == text


def test_with_role_arn_a_failing_roles_api_only_costs_the_alias(maws, stack):
    maws.write_config(idtoken_for_roles_url=f"{stack.aws.url}/not-the-roles-api")
    result = maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    assert "continuing without account aliases" in result.stderr
    assert exports_of(result.stdout)["MAWS_PROMPT"] == "123456789012-Admin"


def test_aws_endpoint_url_sts_overrides_the_config(maws, stack):
    maws.write_config(sts_endpoint="https://sts.invalid.example")
    result = maws.run("-r", stack.role_arn("Admin"), env={"AWS_ENDPOINT_URL_STS": stack.aws.url})
    assert result.returncode == 0, result.stderr


def test_the_browser_url_is_printed_with_no_browser(maws, stack):
    # Nobody follows the URL, so the sign-in times out; what matters is where the URL went.
    maws.write_config(login_timeout="10")
    result = maws.run("--no-browser", "-r", stack.role_arn("Admin"), timeout=30)
    assert result.returncode == 1
    assert result.stdout == ""
    url = next(line for line in result.stderr.splitlines() if line.startswith(stack.issuer))
    assert "code_challenge_method=S256" in url and "code_verifier" not in url
    assert "sign-in did not finish within 10 s" in result.stderr
    assert not maws.ua_log.exists()


@pytest.mark.parametrize("overrides, message", [
    ({"client_id": None}, "missing required setting client_id in [maws]"),
    ({"well_known_url": "http://idp.example.com/.well-known/openid-configuration"}, "config.ini:2: well_known_url: "),
    ({"duration_seconds": "forever"}, "duration_seconds: 'forever' must be a whole number"),
    ({"output": "yaml"}, "'yaml' is not an output format"),
])
def test_config_errors_exit_2_naming_file_line_and_key(maws, overrides, message):
    maws.write_config(**overrides)
    result = maws.run("-r", "arn:aws:iam::123456789012:role/Admin")
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_config_keys_are_a_warning(maws, stack):
    maws.config.write_text(maws.config.read_text() + "colour = blue\n")
    result = maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    assert "unknown key 'colour' is ignored" in result.stderr


def test_usage_errors_exit_2(maws):
    assert maws.run("-b").returncode == 2
    result = maws.run("-r", "arn:aws:iam::123:role/x")
    assert result.returncode == 2
    assert "the account id must be 12 digits" in result.stderr
