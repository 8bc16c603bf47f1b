"""What the integration tests share besides fixtures (those are in conftest.py): running maws, reading
what it prints, and asking AWS who the credentials belong to."""

import contextlib
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTED_BROWSER = ROOT / "Tests" / "stack" / "bin" / "scripted-browser"
AWS_CLI = str(Path(sys.executable).parent / "aws")


def maws_binary():
    path = os.environ.get("MAWS_BIN", str(ROOT / ".build" / "debug" / "maws"))
    if not os.access(path, os.X_OK):
        pytest.exit(f"maws binary {path} not found: run `swift build` or `make integration-test`", returncode=2)
    return path


class Maws:
    """Runs maws with its own config and XDG directories, and a scripted user agent as $BROWSER."""

    def __init__(self, stack, home):
        self.stack = stack
        self.home = home
        self.binary = maws_binary()
        self.config = home / "config.ini"
        self.ua_log = home / "ua.log"
        self.write_config()

    def write_config(self, **overrides):
        self.config.write_text(self.stack.config_text(**overrides))

    def env(self, user="alice", action="approve", **extra):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / "xdg-config"),
            "XDG_CONFIG_DIRS": str(self.home / "xdg-dirs"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "BROWSER": str(SCRIPTED_BROWSER),
            "MAWS_TEST_PYTHON": sys.executable,
            "MAWS_TEST_USER": user,
            "MAWS_TEST_ACTION": action,
            "MAWS_TEST_UA_LOG": str(self.ua_log),
        }
        if self.stack.ca_file:
            env["MAWS_TEST_CA"] = self.stack.ca_file  # what the scripted browser trusts
        env.update({key: value for key, value in extra.items() if value is not None})
        return env

    SUBCOMMANDS = {"login", "logout", "credential-process", "exec", "serve", "vault"}

    def run(self, *args, user="alice", action="approve", env=None, timeout=60, config=True):
        args = list(args)
        command = [args.pop(0)] if args and args[0] in self.SUBCOMMANDS else []
        arguments = [self.binary] + command + (["-c", str(self.config)] if config else []) + args
        result = subprocess.run(arguments, env=self.env(user, action, **(env or {})), capture_output=True,
                                text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        self.wait_for_user_agents()
        return result

    def wait_for_user_agents(self, timeout=10):
        """Waits until every scripted user agent maws started has logged how it ended: maws may exit
        as soon as the browser has its last page, a moment before the user agent writes its line."""
        deadline = time.time() + timeout
        while self.ua_log.exists() and time.time() < deadline:
            text = self.ua_log.read_text()
            ended = text.count("signed in:") + text.count("user agent failed:")
            if ended >= text.count("user agent started"):
                return
            time.sleep(0.02)

    def run_config(self, *args, env=None):
        """`maws config ARGS -c CONFIG` (a subcommand's options follow it)."""
        arguments = [self.binary, "config", *args, "-c", str(self.config)]
        return subprocess.run(arguments, env=self.env(**(env or {})), capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)

    @contextlib.contextmanager
    def serve(self, *args, env=None):
        """Runs `maws serve` for the `with` block; gives the process and the lines it printed
        (through the token), and stops it at the end."""
        process = subprocess.Popen([self.binary, "serve", "-c", str(self.config), *args], env=self.env(**(env or {})),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            printed = ""
            while not re.search(r"AWS_CONTAINER_AUTHORIZATION_TOKEN(=| '| = )", printed):
                line = process.stdout.readline()
                if not line:
                    process.kill()
                    raise AssertionError(process.stderr.read())
                printed += line
            yield process, printed
        finally:
            process.terminate()
            process.wait(timeout=10)

    def aws_env(self, exports):
        """The environment a shell has after `eval "$(maws)"`, pointed at the stack's AWS."""
        script = f"eval {shlex.quote(exports)}; env -0"
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True,
                                env={"PATH": os.environ["PATH"], "AWS_PROFILE": "stale", "HOME": str(self.home)})
        env = dict(item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)
        env.update({"AWS_ENDPOINT_URL": self.stack.aws.url, "AWS_CA_BUNDLE": self.stack.ca_file, "AWS_DEFAULT_REGION": "us-east-1"})
        return env


def exports_of(stdout):
    """The variables maws's sh output exports, by name."""
    return dict(re.findall(r"^export (\w+)='([^']*)';$", stdout, re.MULTILINE))


def caller_arn(env, *options):
    """The ARN `aws sts get-caller-identity` (the AWS CLI) reports in the environment `env`."""
    identity = subprocess.run([AWS_CLI, "sts", "get-caller-identity", "--output", "json", *options], env=env,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert identity.returncode == 0, identity.stderr
    return json.loads(identity.stdout)["Arn"]


def boto3_caller_arn(stack, exports):
    """The ARN STS reports to boto3 for the credentials in `exports` (maws's exported variables)."""
    sts = stack.client("sts", aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
                       aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"], aws_session_token=exports["AWS_SESSION_TOKEN"])
    return sts.get_caller_identity()["Arn"]


def admin_client(stack, service, account):
    """A boto3 client acting in `account` with the stack's admin keys, through moto's x-moto-account-id
    header: an account no organisation made has no role to assume until the test creates one there."""
    client = stack.client(service)
    client.meta.events.register("before-sign", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account))
    return client


def exit_status(child):
    """Waits for a pexpect child to end; its exit status."""
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def interrupted(command, prompt, env):
    """Runs the shell command line `command` on a terminal and presses Ctrl-C once `prompt` shows.
    Returns the command's exit status and the terminal's settings after it (`stty -a`)."""
    shell = pexpect.spawn("bash", ["--norc", "--noprofile", "-c", f'{command}; echo "rc=$?"; stty -a'],
                          env=env, encoding="utf-8", timeout=30)
    shell.expect(prompt)
    shell.sendintr()
    shell.expect(r"rc=(\d+)")
    status = int(shell.match.group(1))
    shell.expect(pexpect.EOF)
    return status, shell.before


def terminal_mode_on(settings, flag):
    """Whether `stty -a` output shows `flag` (echo, icanon, ...) on, not as -flag."""
    return re.search(rf"(?<![-\w]){flag}(?![\w])", settings) is not None
