"""Sessions without the browser: cache, refresh, single flight, credential_process, exec, serve, console."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pexpect
import pytest

from helpers import caller_arn, exit_status, exports_of
from maws_stack.useragent import redirect_location


class Counts:
    """What reached the IdP, STS and the roles API between two points."""

    def __init__(self, stack, maws):
        self.stack, self.maws = stack, maws
        self.before = self.snapshot()

    def snapshot(self):
        log = self.stack.idp_log
        return {
            "idp": log.count(),
            "authorize": log.count("GET", "/oauth2/authorize"),
            "code_grant": log.count("POST", "/oauth2/token", grant_type="authorization_code"),
            "refresh_grant": log.count("POST", "/oauth2/token", grant_type="refresh_token"),
            "sts": self.stack.aws_app.actions_seen("AssumeRoleWithWebIdentity"),
            "roles": self.stack.roles_requests(),
            "browser": self.maws.ua_log.read_text().count("signed in") if self.maws.ua_log.exists() else 0,
        }

    def delta(self):
        now = self.snapshot()
        return {key: now[key] - self.before[key] for key in now}


def cache_file(maws, kind):
    files = sorted((maws.home / "cache" / "maws").glob(f"{kind}-*.json"))
    assert len(files) == 1, files
    return files[0]


def edit_json(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    path.chmod(0o600)


def test_a_second_run_is_served_from_the_cache(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    counts = Counts(stack, maws)
    again = maws.run("-r", stack.role_arn("Admin"))
    assert again.returncode == 0, again.stderr
    assert counts.delta() == {"idp": 0, "authorize": 0, "code_grant": 0, "refresh_grant": 0, "sts": 0, "roles": 0, "browser": 0}
    assert exports_of(again.stdout)["MAWS_PROMPT"] == "maws-demo-Admin"

    cache = maws.home / "cache" / "maws"
    assert oct(cache.stat().st_mode & 0o777) == "0o700"
    for entry in cache.iterdir():
        assert oct(entry.stat().st_mode & 0o777) == "0o600", entry.name
    assert {p.name.split("-")[0] for p in cache.iterdir()} >= {"provider", "session", "roles", "credentials"}


def test_credentials_near_expiry_are_reassumed_without_a_browser(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    edit_json(cache_file(maws, "credentials"),
              lambda entry: entry["credentials"].__setitem__("expiration", time.time() + 120))
    counts = Counts(stack, maws)
    result = maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    delta = counts.delta()
    assert delta["sts"] == 1 and delta["browser"] == 0 and delta["authorize"] == 0 and delta["refresh_grant"] == 0


def test_an_expired_id_token_is_refreshed_silently(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    edit_json(cache_file(maws, "session"), lambda entry: entry["claims"].__setitem__("exp", time.time() + 60))
    counts = Counts(stack, maws)
    result = maws.run("--no-cache", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    delta = counts.delta()
    assert delta["refresh_grant"] == 1 and delta["authorize"] == 0 and delta["browser"] == 0 and delta["sts"] == 1
    assert json.loads(cache_file(maws, "session").read_text())["claims"]["exp"] > time.time() + 600


def test_a_failed_refresh_falls_back_to_the_browser(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0

    def expire_and_break(entry):
        entry["claims"]["exp"] = time.time() - 10
        entry["refreshToken"] = "revoked"
    edit_json(cache_file(maws, "session"), expire_and_break)
    counts = Counts(stack, maws)
    result = maws.run("--no-cache", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    delta = counts.delta()
    assert delta["refresh_grant"] == 1 and delta["authorize"] == 1 and delta["browser"] == 1


@pytest.mark.parametrize("damage", ["garbage", "group-writable", "other-subject"])
def test_damaged_or_foreign_cache_entries_are_never_trusted(maws, stack, damage):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    path = cache_file(maws, "credentials")
    if damage == "garbage":
        path.write_text("{not json")
    elif damage == "group-writable":
        path.chmod(0o664)
    else:
        edit_json(path, lambda entry: entry.__setitem__("subject", "mallory"))
    counts = Counts(stack, maws)
    result = maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    assert counts.delta()["sts"] == 1
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert json.loads(path.read_text())["subject"] == "alice"


def test_parallel_processes_sign_in_once(maws, stack):
    counts = Counts(stack, maws)
    results = []

    def run():
        results.append(maws.run("credential-process", "--role-arn", stack.role_arn("Admin")))

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0] * 6, [r.stderr for r in results]
    delta = counts.delta()
    assert delta["authorize"] == 1 and delta["browser"] == 1 and delta["sts"] == 1
    keys = {json.loads(r.stdout)["AccessKeyId"] for r in results}
    assert len(keys) == 1


def test_twenty_processes_writing_profiles_at_once_lose_nothing(maws, stack):
    credentials = maws.home / ".aws" / "credentials"
    credentials.parent.mkdir()
    original = "# mine\n[default]\naws_access_key_id = AKIAKEEP\naws_secret_access_key = keep\n"
    credentials.write_text(original)
    assert maws.run("-b", "-r", stack.role_arn("Admin")).returncode == 0  # warm the cache
    env = maws.env()
    processes = [subprocess.Popen([maws.binary, "-c", str(maws.config), "-b", "-r", stack.role_arn("Admin"),
                                   "-o", "awscli", "--profile", f"p{index}"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for index in range(20)]
    outcomes = [(process.wait(timeout=60), process.stderr.read()) for process in processes]
    assert all(code == 0 for code, _ in outcomes), outcomes
    text = credentials.read_text()
    assert text.startswith(original)
    for index in range(20):
        assert text.count(f"[p{index}]\naws_access_key_id = ASIA") == 1


def test_the_aws_cli_uses_maws_as_credential_process(maws, stack):
    aws_config = maws.home / ".aws" / "config"
    aws_config.parent.mkdir()
    aws_config.write_text(f"[profile maws]\nregion = us-east-1\ncredential_process = {maws.binary} credential-process "
                          f"--role-arn {stack.role_arn('Admin')} -c {maws.config}\n")
    env = maws.env()
    env.update({"AWS_ENDPOINT_URL": stack.aws.url, "AWS_CA_BUNDLE": stack.ca_file, "AWS_CONFIG_FILE": str(aws_config)})
    assert caller_arn(env, "--profile", "maws").endswith("assumed-role/Admin/alice@example.com")

    output = json.loads(maws.run("credential-process", "--role-arn", stack.role_arn("Admin")).stdout)
    assert output["Version"] == 1 and output["AccountId"] == "123456789012"
    assert set(output) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "AccountId"}
    assert maws.run("credential-process").returncode == 2


def test_exec_passes_credentials_exit_status_and_signals(maws, stack):
    maws.write_config(region="eu-west-1")
    env = {"AWS_PROFILE": "stale", "AWS_ACCESS_KEY_ID": "AKIASTALE"}
    shown = maws.run("exec", "-r", stack.role_arn("Admin"), "--", "sh", "-c",
                     'echo "$AWS_ACCESS_KEY_ID ${AWS_PROFILE-none} $AWS_REGION $AWS_SESSION_EXPIRATION"', env=env)
    assert shown.returncode == 0, shown.stderr
    key, profile, region, expiration = shown.stdout.split()
    assert key.startswith("ASIA") and profile == "none" and region == "eu-west-1" and expiration.endswith("Z")
    assert maws.run("exec", "-r", stack.role_arn("Admin"), "--", "sh", "-c", "exit 7").returncode == 7
    assert maws.run("exec", "-r", stack.role_arn("Admin"), "--", "sh", "-c", "kill -TERM $$").returncode == -signal.SIGTERM
    missing = maws.run("exec", "-r", stack.role_arn("Admin"), "--", "no-such-command-here")
    assert missing.returncode == 127 and "no-such-command-here: command not found on PATH" in missing.stderr
    assert maws.run("exec", "-r", stack.role_arn("Admin")).returncode == 2


def test_exec_forwards_sigterm_to_the_command(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    marker = maws.home / "got-term"
    started = maws.home / "started"
    process = subprocess.Popen([maws.binary, "exec", "-c", str(maws.config), "-r", stack.role_arn("Admin"), "--",
                                "sh", "-c", f"trap 'touch {marker}; exit 3' TERM; touch {started}; while true; do sleep 0.1; done"],
                               env=maws.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while not started.exists():  # the command runs, so maws is waiting on it with its handlers set
        assert time.time() < deadline and process.poll() is None, process.stderr.read()
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 3
    assert marker.exists()


def test_exec_server_lets_the_sdk_fetch_credentials_itself(maws, stack):
    env = {"AWS_ENDPOINT_URL": stack.aws.url, "AWS_CA_BUNDLE": stack.ca_file, "AWS_DEFAULT_REGION": "us-east-1"}
    probe = ("import os, urllib.request, urllib.error, json\n"
             "url = os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI']\n"
             "assert 'AWS_ACCESS_KEY_ID' not in os.environ\n"
             "try:\n    urllib.request.urlopen(url); print('open')\n"
             "except urllib.error.HTTPError as e: print(e.code)\n"
             "req = urllib.request.Request(url, headers={'Authorization': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN']})\n"
             "print(sorted(json.load(urllib.request.urlopen(req))))\n"
             "import boto3\nprint(boto3.client('sts').get_caller_identity()['Arn'])\n")
    result = maws.run("exec", "--server", "-r", stack.role_arn("Admin"), "--", sys.executable, "-c", probe, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "403"
    assert lines[1] == "['AccessKeyId', 'AccountId', 'Expiration', 'SecretAccessKey', 'Token']"
    assert lines[2].endswith("assumed-role/Admin/alice@example.com")


def test_serve_answers_sdks_with_the_token_only(maws, stack):
    with maws.serve("-r", stack.role_arn("Admin")) as (_, printed):
        exports = exports_of(printed)
        url = exports["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        assert urllib.parse.urlparse(url).hostname == "127.0.0.1"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "wrong"}))
        assert refused.value.code == 403
        env = {"PATH": os.environ["PATH"], "HOME": str(maws.home), "AWS_ENDPOINT_URL": stack.aws.url, "AWS_CA_BUNDLE": stack.ca_file,
               "AWS_DEFAULT_REGION": "us-east-1", **exports}
        assert caller_arn(env).endswith("assumed-role/Admin/alice@example.com")


def test_print_url_gives_a_console_sign_in_url(maws, stack):
    result = maws.run("--print-url", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    parsed = urllib.parse.urlparse(url)
    query = urllib.parse.parse_qs(parsed.query)
    assert f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == f"{stack.federation.url}/federation"
    assert query["Action"] == ["login"] and query["Issuer"] == [stack.issuer]
    assert query["Destination"] == ["https://console.aws.amazon.com/"]
    assert stack.federation_app.tokens[query["SigninToken"][0]].endswith("assumed-role/Admin/alice@example.com")
    # The session credentials went in a POST body, never into a URL.
    secret = json.loads(maws.run("-o", "boto", "-r", stack.role_arn("Admin")).stdout)["aws_secret_access_key"]
    assert not any(secret in q or "Session" in q for q in stack.federation_app.query_strings)


def test_console_destination_region_and_logout_first(maws, stack):
    result = maws.run("--print-url", "--destination", "s3", "--region", "eu-west-1", "--logout-first", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    logout = urllib.parse.urlparse(result.stdout.strip())
    assert f"{logout.scheme}://{logout.netloc}{logout.path}" == stack.federation.url + "/oauth"
    query = urllib.parse.parse_qs(logout.query)
    assert query["Action"] == ["logout"]
    login = urllib.parse.parse_qs(urllib.parse.urlparse(query["redirect_uri"][0]).query)
    assert login["Action"] == ["login"] and login["Destination"] == ["https://console.aws.amazon.com/s3/home?region=eu-west-1"]
    maws.write_config(console_logout_first="yes")
    path = maws.run("--print-url", "--destination", "/ec2/home#Instances", "-r", stack.role_arn("Admin"))
    assert urllib.parse.urlparse(path.stdout.strip()).path == "/oauth"
    redirect = urllib.parse.parse_qs(urllib.parse.urlparse(path.stdout.strip()).query)["redirect_uri"][0]
    assert urllib.parse.parse_qs(urllib.parse.urlparse(redirect).query)["Destination"] == ["https://console.aws.amazon.com/ec2/home#Instances"]


@pytest.mark.parametrize("arguments, message", [
    (["--destination", "s3"], "--destination, --region and --logout-first go with --web-console or --print-url"),
    (["--print-url", "--destination", "S3 bucket"], "--destination 'S3 bucket' is not a console destination"),
    (["--print-url", "--region", "Europe"], "--region 'Europe' is not an AWS region name"),
])
def test_console_options_are_checked_before_signing_in(maws, stack, arguments, message):
    before = stack.idp_log.count()
    result = maws.run(*arguments, "-r", stack.role_arn("Admin"))
    assert result.returncode == 2
    assert message in result.stderr
    assert stack.idp_log.count() == before


def test_web_console_opens_the_browser_and_conflicts_with_print_url(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    before = len(stack.federation_app.logins)
    result = maws.run("-w", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    assert exports_of(result.stdout)["MAWS_PROMPT"] == "maws-demo-Admin"
    deadline = time.time() + 10
    while len(stack.federation_app.logins) == before and time.time() < deadline:
        time.sleep(0.1)
    assert len(stack.federation_app.logins) == before + 1
    assert maws.run("-w", "--print-url", "-r", stack.role_arn("Admin")).returncode == 2
    # With --logout-first the browser signs out of the console, then in.
    logouts = len(stack.federation_app.logouts)
    assert maws.run("-w", "--logout-first", "-r", stack.role_arn("Admin")).returncode == 0
    deadline = time.time() + 10
    while len(stack.federation_app.logins) == before + 1 and time.time() < deadline:
        time.sleep(0.1)
    assert (len(stack.federation_app.logouts), len(stack.federation_app.logins)) == (logouts + 1, before + 2)


def test_a_skewed_clock_is_reported(maws, stack):
    stack.aws_app.clock_skew = 1800
    result = maws.run("-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    assert "this machine's clock is 30 minutes behind 127.0.0.1's" in result.stderr


def test_headless_sign_in_accepts_the_pasted_redirect(maws, stack):
    env = maws.env()
    del env["BROWSER"]
    env["SSH_CONNECTION"] = "192.0.2.1 50000 192.0.2.2 22"
    output = maws.home / "out.sh"
    child = pexpect.spawn("bash", ["-c", f'"{maws.binary}" -c "{maws.config}" -r {stack.role_arn("Admin")} > "{output}"'],
                          env=env, encoding="utf-8", timeout=30, dimensions=(40, 2000))
    child.expect(r"(https://127\.0\.0\.1:\d+/oauth2/authorize\?\S+)")
    url = child.match.group(1)
    child.expect("paste here the address it ends on")
    child.sendline("not a url")
    child.expect("not the address of this sign-in's redirect")
    child.sendline(redirect_location(url, "alice"))
    assert exit_status(child) == 0
    assert exports_of(output.read_text())["MAWS_PROMPT"] == "maws-demo-Admin"


def test_logout_all_forgets_cached_credentials(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    result = maws.run("logout", "--all", config=False)
    assert result.returncode == 0, result.stderr
    remaining = {p.name.split("-")[0] for p in (maws.home / "cache" / "maws").iterdir()}
    assert not remaining & {"credentials", "session", "roles"}
    counts = Counts(stack, maws)
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    assert counts.delta()["browser"] == 1
