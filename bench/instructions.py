"""Instruction counts of maws's warm path (callgrind), checked against the ceilings in bench/ceilings.

Signs in once against the local stack (the scripted user agent as $BROWSER), then counts, with
valgrind's callgrind, the instructions of one run of each command below on valid cached
credentials. Instruction counts stay stable from machine to machine where times do not, so a
regression shows here as a number over its ceiling: the exit status is 1 when any count exceeds
its ceiling, 0 otherwise.

  version             maws --version
  help                maws --help
  boto                maws -c CONFIG -b -r ARN -o boto
  credential-process  maws credential-process -c CONFIG --role-arn ARN
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from maws_stack import Stack

ROOT = Path(__file__).resolve().parents[1]
CEILINGS = ROOT / "bench" / "ceilings"


def instructions(command, env):
    """Instructions one run of `command` executes, as callgrind counts them (dynamic loader included)."""
    with tempfile.NamedTemporaryFile() as out:
        run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}"] + command,
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            sys.exit(f"instructions: {command[0]} failed under valgrind:\n{run.stderr[-2000:]}")
        match = re.search(r"Collected : (\d+)", run.stderr)
        if not match:
            sys.exit("instructions: callgrind printed no count")
        return int(match.group(1))


def maws_environment(home, stack):
    """What maws runs with in the benchmarks: its own HOME and XDG folders under `home`, the
    scripted user agent as $BROWSER signing in as alice, trusting the stack's CA."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_CONFIG_HOME": str(home / "config"), "XDG_CONFIG_DIRS": str(home / "none"),
            "BROWSER": str(ROOT / "Tests" / "stack" / "bin" / "scripted-browser"),
            "MAWS_TEST_PYTHON": sys.executable, "MAWS_TEST_USER": "alice", "MAWS_TEST_CA": stack.ca_file}


def warm_commands(maws, stack, scratch):
    """Signs in once and returns the environment and the commands of the warm path."""
    role = stack.role_arn("Admin")
    config = scratch / "config.ini"
    config.write_text(stack.config_text())
    env = maws_environment(scratch / "home", stack)
    subprocess.run([maws, "-c", str(config), "-b", "-r", role], env=env, check=True, stdout=subprocess.DEVNULL)
    return env, {
        "version": [maws, "--version"],
        "help": [maws, "--help"],
        "boto": [maws, "-c", str(config), "-b", "-r", role, "-o", "boto"],
        "credential-process": [maws, "credential-process", "-c", str(config), "--role-arn", role],
    }


def read_ceilings():
    ceilings = {}
    for line in CEILINGS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, value = line.split()
            ceilings[name] = int(value)
    return ceilings


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--maws", required=True, help="the maws release binary")
    args = parser.parse_args()
    ceilings = read_ceilings()
    with Stack() as stack, tempfile.TemporaryDirectory(prefix="maws-instructions-") as scratch:
        env, commands = warm_commands(args.maws, stack, Path(scratch))
        idp_before = stack.idp_log.count()
        counts = {name: instructions(command, env) for name, command in commands.items()}
        assert stack.idp_log.count() == idp_before, "a warm run reached the IdP"
    failed = False
    print(f"{'command':20} {'instructions':>14} {'ceiling':>14}")
    for name, count in counts.items():
        ceiling = ceilings.get(name)
        over = ceiling is not None and count > ceiling
        failed |= over
        print(f"{name:20} {count:14,} {ceiling or 0:14,}{'  OVER THE CEILING' if over else ''}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
