"""Warm-path benchmark: maws against the Python original (mozilla-aws-cli), on the same local stack.

Signs in once with maws (the scripted user agent as $BROWSER), seeds the original's cache with
that same ID token, role list and STS credentials, checks that every warm run answers without a
request to the IdP or STS (maws) and with valid credentials, then times with hyperfine, in one
run so that the figures are side by side (in five rounds, their times pooled):

  /bin/true                                 (what starting any process costs here)
  maws --version, maws --help
  maws -b -r ARN -o boto
  maws credential-process --role-arn ARN

and then, in a run of its own (it takes half a second a run):

  mozilla-aws-cli: maws -b -r ARN -o boto   (it refetches discovery and JWKS and checks the token)

and prints medians, the ratio to the original, and the peak RSS of each (median of 20 runs, from
GNU time).
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from instructions import maws_environment
from maws_stack import Stack
from maws_stack.idp import mint_id_token
from maws_stack.stack import CLIENT_ID



def peak_rss_kib(command, env, runs=20):
    """Median over `runs` of each run's peak resident set size, in KiB, as GNU time reports it.
    (wait4's ru_maxrss of a child forked from this Python process would count its pages too.)"""
    peaks = []
    with tempfile.NamedTemporaryFile() as report:
        for _ in range(runs):
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name] + command, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            peaks.append(int(Path(report.name).read_text().split()[-1]))
    return statistics.median(peaks)


def hyperfine(commands, env, runs, warmup, results, rounds=1):
    """Median times in ms of `commands` (name: argv), side by side: `rounds` hyperfine runs of all
    the commands, `runs / rounds` runs each, their times pooled. Several rounds keep a burst of
    other work on the machine from landing on one command's runs only."""
    times = {name: [] for name in commands}
    for round_number in range(rounds):
        export = results / f"hyperfine-{round_number}.json"
        arguments = ["hyperfine", "-N", "--style", "basic", "--warmup", str(warmup), "--runs", str(max(1, runs // rounds)),
                     "--export-json", str(export)]
        for name, command in commands.items():
            arguments += ["--command-name", name, subprocess.list2cmdline(command)]
        subprocess.run(arguments, env=env, check=True, stdout=subprocess.DEVNULL if round_number else None)
        for result in json.loads(export.read_text())["results"]:
            times[result["command"]] += result["times"]
    return {name: statistics.median(samples) * 1000 for name, samples in times.items()}


def seed_original_cache(home, stack, maws_cache, role):
    """Writes what the original caches after a sign-in, from maws's cache of the same sign-in."""
    cache = Path(home) / ".cache" / "maws"
    cache.mkdir(parents=True, mode=0o700)

    def entry(kind):
        (path,) = maws_cache.glob(f"{kind}-*.json")
        return json.loads(path.read_text())

    def write(name, document):
        path = cache / name
        path.write_text(json.dumps(document))
        path.chmod(0o600)

    digest = lambda text: hashlib.sha256(text.encode()).hexdigest()  # noqa: E731
    session, roles, credentials = entry("session"), entry("roles"), entry("credentials")
    # The original checks a cached ID token with python-jose without the access token, which fails
    # for every token with an at_hash claim (this IdP's have one): it would never use its cache. So it
    # gets a token for the same person, signed by the same key, without at_hash.
    claims = {key: session["claims"][key] for key in ("sub", "email", "amr") if key in session["claims"]}
    write(f"id_{digest(stack.issuer)}_{CLIENT_ID}",
          {"id_token": mint_id_token(stack.idp_app, stack.issuer, CLIENT_ID, claims)})
    write(f"rolemap_{digest(f'{stack.roles_api.url}/roles')}",
          {"roles": roles["roles"], "aliases": roles["aliases"]})
    expiration = credentials["credentials"]["expiration"]
    write(f"stscreds_{digest(role)}", {
        "AccessKeyId": credentials["credentials"]["accessKeyID"],
        "SecretAccessKey": credentials["credentials"]["secretAccessKey"],
        "SessionToken": credentials["credentials"]["sessionToken"],
        "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expiration)),
    })


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--maws", required=True, help="the maws release binary")
    parser.add_argument("--original", required=True, help="the mozilla-aws-cli `maws` entry point")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--original-runs", type=int, default=30)
    args = parser.parse_args()

    with Stack() as stack, tempfile.TemporaryDirectory(prefix="maws-bench-") as scratch:
        scratch = Path(scratch)
        role = stack.role_arn("Admin")
        config = scratch / "config.ini"
        config.write_text(stack.config_text())
        ours = maws_environment(scratch / "ours", stack)
        original = {"PATH": os.environ["PATH"], "HOME": str(scratch / "original"), "REQUESTS_CA_BUNDLE": stack.ca_file,
                    "XDG_CONFIG_HOME": str(scratch / "original" / "config")}

        # Sign in once; from here on every maws run must be answered from the cache.
        subprocess.run([args.maws, "-c", str(config), "-b", "-r", role], env=ours, check=True,
                       stdout=subprocess.DEVNULL)
        seed_original_cache(original["HOME"], stack, Path(ours["XDG_CACHE_HOME"]) / "maws", role)

        commands = {
            "/bin/true": ["/bin/true"],
            "maws --version": [args.maws, "--version"],
            "maws --help": [args.maws, "--help"],
            "maws -o boto": [args.maws, "-c", str(config), "-b", "-r", role, "-o", "boto"],
            "maws credential-process": [args.maws, "credential-process", "-c", str(config), "--role-arn", role],
        }
        original_command = [args.original, "-c", str(config), "-b", "-r", role, "-o", "boto"]

        idp_before, sts_before = stack.idp_log.count(), stack.aws_app.actions_seen("AssumeRoleWithWebIdentity")
        for name, command, env in [("maws -o boto", commands["maws -o boto"], ours),
                                   ("maws credential-process", commands["maws credential-process"], ours),
                                   ("mozilla-aws-cli -o boto", original_command, original)]:
            output = subprocess.run(command, env=env, capture_output=True, text=True)
            assert output.returncode == 0, (name, output.stderr)
            answer = json.loads(output.stdout)
            assert answer.get("aws_access_key_id", answer.get("AccessKeyId", "")).startswith("ASIA"), name
            if name.startswith("maws"):
                assert stack.idp_log.count() == idp_before, f"{name} reached the IdP on the warm path"
        assert stack.aws_app.actions_seen("AssumeRoleWithWebIdentity") == sts_before, "a warm run called STS"
        original_idp_requests = stack.idp_log.count() - idp_before

        results = scratch / "results"
        results.mkdir()
        medians = hyperfine(commands, ours, args.runs, 20, results, rounds=5)
        medians.update(hyperfine({"mozilla-aws-cli -o boto": original_command}, original, args.original_runs, 3, results))
        peaks = {name: peak_rss_kib(command, ours) for name, command in commands.items()}
        peaks["mozilla-aws-cli -o boto"] = peak_rss_kib(original_command, original, runs=10)

        baseline = medians["mozilla-aws-cli -o boto"]
        print("\nMedians (valid cached credentials for the credential commands):")
        print(f"{'command':28} {'median':>10} {'peak RSS':>10} {'vs original':>12}")
        for name in medians:
            print(f"{name:28} {medians[name]:8.2f} ms {peaks[name] / 1024:7.1f} MB {baseline / medians[name]:10.1f}x")
        print(f"\nmaws made no request to the IdP or STS; mozilla-aws-cli made {original_idp_requests} to the IdP "
              f"(discovery and JWKS) in its one checked run.")


if __name__ == "__main__":
    main()
