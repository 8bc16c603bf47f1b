"""Fixtures for maws's integration tests: the local stack and a way to run the maws binary."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from maws_stack import Stack

ROOT = Path(__file__).resolve().parents[2]

SCRIPTED_BROWSER = ROOT / "Tests" / "stack" / "bin" / "scripted-browser"


def maws_binary():
    path = os.environ.get("MAWS_BIN", str(ROOT / ".build" / "debug" / "maws"))
    if not os.access(path, os.X_OK):
        pytest.exit(f"maws binary {path} not found: run `swift build` or `make integration-test`", returncode=2)
    return path


@pytest.fixture(scope="session")
def stack():
    with Stack() as running:
        yield running


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
        env.update({key: value for key, value in extra.items() if value is not None})
        return env

    SUBCOMMANDS = {"login", "logout", "credential-process", "exec", "serve"}

    def run(self, *args, user="alice", action="approve", env=None, timeout=60, config=True):
        args = list(args)
        command = [args.pop(0)] if args and args[0] in self.SUBCOMMANDS else []
        arguments = [self.binary] + command + (["-c", str(self.config)] if config else []) + args
        return subprocess.run(arguments, env=self.env(user, action, **(env or {})), capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)

    def serve(self, *args, env=None):
        """Starts `maws serve`; returns the process and the lines it printed (through the token)."""
        process = subprocess.Popen([self.binary, "serve", "-c", str(self.config), *args], env=self.env(**(env or {})),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        printed = ""
        while not re.search(r"AWS_CONTAINER_AUTHORIZATION_TOKEN(=| '| = )", printed):
            line = process.stdout.readline()
            if not line:
                process.kill()
                raise AssertionError(process.stderr.read())
            printed += line
        return process, printed

    def aws_env(self, exports):
        """The environment a shell has after `eval "$(maws)"`, pointed at the stack's AWS."""
        script = f"eval {shlex.quote(exports)}; env -0"
        result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True,
                                env={"PATH": os.environ["PATH"], "AWS_PROFILE": "stale", "HOME": str(self.home)})
        env = dict(item.split("=", 1) for item in result.stdout.split("\0") if "=" in item)
        env.update({"AWS_ENDPOINT_URL": self.stack.aws.url, "AWS_DEFAULT_REGION": "us-east-1"})
        return env


@pytest.fixture
def maws(stack, tmp_path):
    stack.aws_app.clock_skew = 0
    return Maws(stack, tmp_path)
