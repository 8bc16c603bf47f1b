"""`maws exec`: the command's SDKs use maws's credentials whatever the shell and ~/.aws hold, a bare
command name never runs from the current directory, and no signal is lost before the command runs."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import AWS_CLI


@pytest.fixture
def competing_credentials(maws, stack, tmp_path):
    """A shell and ~/.aws that would all win over a container endpoint in an AWS SDK's chain."""
    iam = stack.client("iam")
    user = "exec-" + tmp_path.name[-12:].replace("_", "-")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    aws = maws.home / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(f"[default]\naws_access_key_id = {key['AccessKeyId']}\n"
                                     f"aws_secret_access_key = {key['SecretAccessKey']}\n")
    (aws / "config").write_text("[default]\nregion = us-west-2\noutput = json\n"
                                "credential_process = sh -c 'echo broken; exit 1'\n"
                                "[profile other]\nrole_arn = arn:aws:iam::123456789012:role/ReadOnly\nsource_profile = default\n"
                                "region = eu-west-3\n")
    token_file = maws.home / "web-identity-token"
    token_file.write_text("not-a-token")
    # Where older SDKs and botocore's legacy providers look: ~/.boto and AWS_CREDENTIAL_FILE.
    (maws.home / ".boto").write_text(f"[Credentials]\naws_access_key_id = {key['AccessKeyId']}\n"
                                     f"aws_secret_access_key = {key['SecretAccessKey']}\n")
    legacy = maws.home / "legacy-credentials"
    legacy.write_text(f"AWSAccessKeyId={key['AccessKeyId']}\nAWSSecretKey={key['SecretAccessKey']}\n")
    return {"AWS_PROFILE": "other", "AWS_DEFAULT_PROFILE": "other",
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/ReadOnly", "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/stale", "AWS_CREDENTIAL_FILE": str(legacy),
            "AWS_ACCESS_KEY": key["AccessKeyId"], "AWS_SECRET_KEY": key["SecretAccessKey"],
            "AMAZON_ACCESS_KEY_ID": key["AccessKeyId"], "AMAZON_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            "AWS_ENDPOINT_URL": stack.aws.url, "AWS_CA_BUNDLE": stack.ca_file, "user": user}


@pytest.mark.parametrize("mode", [[], ["--server"]])
def test_the_command_uses_exactly_maws_credentials_and_keeps_the_region(maws, stack, competing_credentials, mode):
    env = dict(competing_credentials)
    env.pop("user")
    probe = ("import boto3, os; s = boto3.Session(); print(s.region_name); print(s.client('sts').get_caller_identity()['Arn'])\n"
             "assert not {'AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'AMAZON_ACCESS_KEY_ID', 'AWS_CREDENTIAL_FILE'} & set(os.environ)")
    result = maws.run("exec", *mode, "-r", stack.role_arn("Admin"), "--", sys.executable, "-c", probe, env=env)
    assert result.returncode == 0, result.stderr
    region, arn = result.stdout.split()
    assert arn == "arn:aws:sts::123456789012:assumed-role/Admin/alice@example.com"
    assert region == "eu-west-3", "the region of the person's profile (AWS_PROFILE) is kept"

    cli = maws.run("exec", *mode, "-r", stack.role_arn("Admin"), "--", AWS_CLI, "sts", "get-caller-identity", env=env)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["Arn"].endswith("assumed-role/Admin/alice@example.com")


def test_a_bare_command_name_never_runs_from_the_current_directory(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    work = maws.home / "work"
    work.mkdir()
    planted = work / "deploytool"
    marker = maws.home / "planted-ran"
    planted.write_text(f"#!/bin/sh\ntouch {marker}\n")
    planted.chmod(0o755)
    for path in [os.environ["PATH"], "::" + os.environ["PATH"], ".:" + os.environ["PATH"]]:
        result = subprocess.run([maws.binary, "exec", "-c", str(maws.config), "-r", stack.role_arn("Admin"), "--", "deploytool"],
                                cwd=work, env=maws.env(PATH=path), capture_output=True, text=True, timeout=30)
        assert result.returncode == 127, result.stderr
        assert "deploytool: command not found on PATH" in result.stderr
        assert not marker.exists(), f"./deploytool ran with PATH={path!r}"
    explicit = subprocess.run([maws.binary, "exec", "-c", str(maws.config), "-r", stack.role_arn("Admin"), "--", "./deploytool"],
                              cwd=work, env=maws.env(), capture_output=True, text=True, timeout=30)
    assert explicit.returncode == 0, explicit.stderr
    assert marker.exists(), "a path the person writes is run as written"


def threads_of(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except FileNotFoundError:
        return 0


def test_a_sigterm_sent_while_the_command_starts_is_never_lost(maws, stack):
    """SIGTERM lands at staggered moments around the spawn, while the credentials server's thread
    runs: every run must end, with the command's trap status or by the signal, never hang."""
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    script = "trap 'exit 3' TERM; while :; do sleep 0.02; done"
    outcomes = set()
    for attempt in range(60):
        process = subprocess.Popen([maws.binary, "exec", "--server", "-c", str(maws.config), "-r", stack.role_arn("Admin"),
                                    "--", "sh", "-c", script], env=maws.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while threads_of(process.pid) < 2 and process.poll() is None and time.monotonic() < deadline:
            pass  # the credentials server's thread is up: the spawn is about to happen
        time.sleep((attempt % 20) * 0.0002)
        process.send_signal(signal.SIGTERM)
        try:
            status = process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            subprocess.run(["pkill", "-f", script])
            pytest.fail(f"attempt {attempt}: the SIGTERM was lost and the command runs on")
        assert status in (3, -signal.SIGTERM), process.stderr.read()
        outcomes.add(status)
    assert outcomes, "no attempt completed"


def test_programs_given_serves_lines_use_exactly_maws_credentials(maws, stack, competing_credentials):
    env = dict(competing_credentials)
    env.pop("user")
    with maws.serve("-r", stack.role_arn("Admin"), env=env) as (_, printed):
        script = maws.home / "serve.sh"
        script.write_text(printed)
        shell_env = {**maws.env(), **env}
        shell = subprocess.run(["bash", "-c", f'eval $(cat "{script}"); "{AWS_CLI}" sts get-caller-identity --output json; '
                                              'echo "${AWS_PROFILE-unset} $AWS_REGION"'],
                               env=shell_env, capture_output=True, text=True, timeout=60)
        assert shell.returncode == 0, shell.stderr
        assert "}" in shell.stdout, (shell.stdout, shell.stderr, printed)
        identity, rest = shell.stdout.rsplit("}", 1)
        assert json.loads(identity + "}")["Arn"].endswith("assumed-role/Admin/alice@example.com")
        assert rest.split() == ["unset", "eu-west-3"]


def test_the_exit_status_survives_an_inherited_ignored_sigchld(maws, stack):
    """Some supervisors start programs with SIGCHLD ignored; the kernel would then reap the command
    itself, and maws must still report its status."""
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    result = subprocess.run([maws.binary, "exec", "-c", str(maws.config), "-r", stack.role_arn("Admin"), "--", "sh", "-c", "exit 7"],
                            env=maws.env(), capture_output=True, text=True, timeout=30,
                            preexec_fn=lambda: signal.signal(signal.SIGCHLD, signal.SIG_IGN))
    assert result.returncode == 7, result.stderr
