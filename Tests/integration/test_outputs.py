"""Every output format, read back by real AWS clients, and credential files edited without loss."""

import json
import os
import re
import shlex
import stat
import subprocess

import pytest

from helpers import AWS_CLI, ROOT, caller_arn, exports_of

README = ROOT / "README.md"

EXISTING_CREDENTIALS = """\
# Personal keys. Do not lose these comments!
[default]
aws_access_key_id=AKIAIOSFODNN7EXAMPLE
aws_secret_access_key   =   wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[work]    
aws_access_key_id = AKIAWORK
 ; an indented comment
aws_secret_access_key = worksecret
region = eu-west-1   # configparser keeps this as part of the value

;trailing comment, no newline at the end"""


def fish(maws, stack, printed, commands):
    """Sources what maws printed for fish in a fresh fish, then runs `commands` there."""
    script = maws.home / "maws.fish"
    script.write_text(printed)
    return subprocess.run(["fish", "--no-config", "-c", f"source {shlex.quote(str(script))}; {commands}"],
                          env={"PATH": os.environ["PATH"], "HOME": str(maws.home), "AWS_ENDPOINT_URL": stack.aws.url, "AWS_CA_BUNDLE": stack.ca_file,
                               "AWS_DEFAULT_REGION": "us-east-1"}, capture_output=True, text=True, cwd=maws.home)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_awscli_writes_a_profile_the_aws_cli_uses(maws, stack):
    maws.write_config(region="eu-west-1")
    result = maws.run("-o", "awscli", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    exports = exports_of(result.stdout)
    assert exports["AWS_PROFILE"] == "maws-demo-Admin"
    assert exports["AWS_REGION"] == exports["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert "AWS_ACCESS_KEY_ID" not in exports
    assert "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_SHARED_CREDENTIALS_FILE;" in result.stdout
    assert "Profile maws-demo-Admin written to" in result.stderr

    credentials = maws.home / ".aws" / "credentials"
    assert mode(credentials) == 0o600 and mode(credentials.parent) == 0o700
    text = credentials.read_text()
    assert text.startswith("[maws-demo-Admin]\naws_access_key_id = ASIA")
    assert (maws.home / ".aws" / "config").read_text() == "[profile maws-demo-Admin]\nregion = eu-west-1\n"

    env = maws.aws_env(result.stdout)
    env.pop("AWS_DEFAULT_REGION")
    assert caller_arn(env).endswith("assumed-role/Admin/alice@example.com")


def test_shared_uses_maws_own_file_and_leaves_aws_credentials_alone(maws, stack):
    result = maws.run("-o", "shared", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    exports = exports_of(result.stdout)
    own = maws.home / "xdg-config" / "maws" / "credentials"
    assert exports["AWS_SHARED_CREDENTIALS_FILE"] == str(own)
    assert exports["AWS_PROFILE"] == "maws-demo-Admin"
    assert mode(own) == 0o600
    assert not (maws.home / ".aws").exists()
    assert caller_arn(maws.aws_env(result.stdout)).endswith("assumed-role/Admin/alice@example.com")


def test_boto_json_is_boto3_keyword_arguments(maws, stack):
    result = maws.run("-o", "boto", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    arguments = json.loads(result.stdout)
    assert set(arguments) == {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"}
    assert stack.client("sts", **arguments).get_caller_identity()["Arn"].endswith("assumed-role/Admin/alice@example.com")


def test_js_json_has_the_javascript_sdk_names(maws, stack):
    result = maws.run("-o", "js", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    credentials = json.loads(result.stdout)
    assert set(credentials) == {"accessKeyId", "secretAccessKey", "sessionToken"}
    sts = stack.client("sts", aws_access_key_id=credentials["accessKeyId"], aws_secret_access_key=credentials["secretAccessKey"],
                       aws_session_token=credentials["sessionToken"])
    assert sts.get_caller_identity()["Account"] == "123456789012"


def test_fish_output_works_in_fish(maws, stack):
    result = maws.run("--shell", "fish", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^set -gx AWS_ACCESS_KEY_ID 'ASIA\w+';$", result.stdout, re.MULTILINE)
    # A stale AWS_PROFILE in the shell must not win over the keys.
    shell = fish(maws, stack, "set -gx AWS_PROFILE stale;\n" + result.stdout,
                 f"{shlex.quote(AWS_CLI)} sts get-caller-identity --output json")
    assert shell.returncode == 0, shell.stderr
    assert json.loads(shell.stdout)["Arn"].endswith("assumed-role/Admin/alice@example.com")


def test_powershell_output_lines(maws, stack):
    result = maws.run("--shell", "powershell", "-o", "shared", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "$Env:AWS_PROFILE = 'maws-demo-Admin'"
    assert lines[-1] == ("Remove-Item Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY, Env:AWS_SESSION_TOKEN, "
                         "Env:AWS_SECURITY_TOKEN -ErrorAction SilentlyContinue")


def test_an_existing_credentials_file_survives_byte_for_byte(maws, stack):
    credentials = maws.home / ".aws" / "credentials"
    credentials.parent.mkdir(mode=0o755)
    credentials.write_text(EXISTING_CREDENTIALS)
    credentials.chmod(0o644)
    first = maws.run("-o", "awscli", "-r", stack.role_arn("Admin"))
    assert first.returncode == 0, first.stderr
    text = credentials.read_text()
    assert text.startswith(EXISTING_CREDENTIALS + "\n\n[maws-demo-Admin]\naws_access_key_id = ASIA")
    assert mode(credentials) == 0o600, "group and other access are removed from a credentials file"
    assert mode(credentials.parent) == 0o755, "an existing directory keeps its mode"

    # Fresh credentials replace the three keys in place and nothing else.
    second = maws.run("-o", "awscli", "--no-cache", "-r", stack.role_arn("Admin"))
    assert second.returncode == 0, second.stderr
    updated = credentials.read_text()
    assert updated.startswith(EXISTING_CREDENTIALS + "\n\n[maws-demo-Admin]\n")
    assert updated.count("[maws-demo-Admin]") == 1 and updated != text

    logout = maws.run("logout", "--profile", "maws-demo-Admin", config=False)
    assert logout.returncode == 0, logout.stderr
    # Everything is back, except that appending a section had to end the last line with a newline.
    assert credentials.read_text() == EXISTING_CREDENTIALS + "\n"

    credentials.write_text(EXISTING_CREDENTIALS + "\n")
    assert maws.run("-o", "awscli", "-r", stack.role_arn("Admin")).returncode == 0
    assert maws.run("logout", "--profile", "maws-demo-Admin", config=False).returncode == 0
    assert credentials.read_text() == EXISTING_CREDENTIALS + "\n"


def test_replacing_a_profile_keeps_the_keys_maws_does_not_own(maws, stack):
    credentials = maws.home / ".aws" / "credentials"
    credentials.parent.mkdir()
    credentials.write_text("[work]\n# mine\naws_access_key_id = ASIAOLDTEMP\naws_secret_access_key = x\n"
                           "aws_session_token = y\n  continued\nregion = us-west-2\n\n[after]\nk = v\n")
    result = maws.run("-o", "awscli", "--profile", "work", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    lines = credentials.read_text().splitlines()
    assert lines[0:2] == ["[work]", "# mine"]
    assert lines[2].startswith("aws_access_key_id = ASIA") and lines[2] != "aws_access_key_id = ASIAOLDTEMP"
    assert lines[5:] == ["region = us-west-2", "", "[after]", "k = v"]


def test_long_lived_keys_maws_did_not_write_are_never_replaced(maws, stack):
    credentials = maws.home / ".aws" / "credentials"
    credentials.parent.mkdir()
    credentials.write_text(EXISTING_CREDENTIALS)
    result = maws.run("-o", "awscli", "--profile", "default", "-r", stack.role_arn("Admin"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "holds long-lived keys that maws did not write" in result.stderr
    assert credentials.read_text() == EXISTING_CREDENTIALS


def test_a_read_only_credentials_file_is_left_alone(maws, stack):
    credentials = maws.home / ".aws" / "credentials"
    credentials.parent.mkdir()
    credentials.write_text(EXISTING_CREDENTIALS)
    credentials.chmod(0o400)
    result = maws.run("-o", "awscli", "-r", stack.role_arn("Admin"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"{credentials} is read-only" in result.stderr
    assert credentials.read_text() == EXISTING_CREDENTIALS
    assert sorted(p.name for p in credentials.parent.iterdir()) == ["credentials"], "no temporary file left behind"


def test_an_unparseable_credentials_file_is_never_overwritten(maws, stack):
    credentials = maws.home / ".aws" / "credentials"
    credentials.parent.mkdir()
    broken = "[default]\naws_access_key_id = AKIA\nthis line is not ini\n"
    credentials.write_text(broken)
    result = maws.run("-o", "awscli", "-r", stack.role_arn("Admin"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"{credentials}:3: expected 'key = value'" in result.stderr
    assert credentials.read_text() == broken


def test_comments_after_section_headers_are_edited_not_refused(maws, stack):
    """The AWS CLI accepts `[work] ; team account` and `[profile x] # note`; so must maws."""
    maws.write_config(region="eu-west-1")
    credentials = maws.home / ".aws" / "credentials"
    config = maws.home / ".aws" / "config"
    credentials.parent.mkdir()
    credentials.write_text("[work] ; team account\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\n")
    config.write_text("[profile work] # note\noutput = json\n")
    result = maws.run("-o", "awscli", "--profile", "work", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    lines = credentials.read_text().splitlines()
    assert lines[0] == "[work] ; team account" and len(lines) == 4
    assert lines[1].startswith("aws_access_key_id = ASIA") and lines[1] != "aws_access_key_id = ASIAOLD"
    assert config.read_text() == "[profile work] # note\noutput = json\nregion = eu-west-1\n"
    env = maws.aws_env(result.stdout)
    env.pop("AWS_DEFAULT_REGION")
    assert caller_arn(env).endswith("assumed-role/Admin/alice@example.com")
    region = subprocess.run([AWS_CLI, "configure", "get", "region"], env=env, capture_output=True, text=True)
    assert region.stdout.strip() == "eu-west-1", region.stderr


def test_a_second_section_for_the_same_profile_is_refused_with_its_line(maws, stack):
    maws.write_config(region="eu-west-1")
    config = maws.home / ".aws" / "config"
    config.parent.mkdir()
    original = "[default]\noutput = json\n\n[profile \"work\"]\noutput = text\n"
    config.write_text(original)
    result = maws.run("-o", "awscli", "--profile", "work", "-r", stack.role_arn("Admin"))
    assert result.returncode == 1
    assert f"{config}:4: [profile \"work\"] is profile 'work' to AWS tools, as is [profile work], which maws writes; " \
           "rename it to [profile work]" in result.stderr
    assert config.read_text() == original


def test_a_symlinked_credentials_file_is_written_through_the_link(maws, stack):
    dotfiles = maws.home / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "aws-credentials"
    target.write_text("[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n")
    (maws.home / ".aws").mkdir()
    link = maws.home / ".aws" / "credentials"
    link.symlink_to(target)
    result = maws.run("-o", "awscli", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert "[maws-demo-Admin]" in target.read_text()


def test_a_profile_name_with_quotes_and_spaces_in_fish(maws, stack):
    name = "it's my \"profile\""
    result = maws.run("-o", "awscli", "--shell", "fish", "--profile", name, "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    assert f"[{name}]" in (maws.home / ".aws" / "credentials").read_text()
    shell = fish(maws, stack, result.stdout, f"printf '%s\\n' $AWS_PROFILE; {shlex.quote(AWS_CLI)} sts get-caller-identity --output json")
    assert shell.returncode == 0, shell.stderr
    profile, identity = shell.stdout.split("\n", 1)
    assert profile == name
    assert json.loads(identity)["Arn"].endswith("assumed-role/Admin/alice@example.com")


@pytest.mark.parametrize("name", ["[bad]", " padded", "new\nline", "", "DEFAULT"])
def test_profile_names_an_ini_file_cannot_hold_are_usage_errors(maws, name):
    result = maws.run("-o", "awscli", "--profile", name, "-r", "arn:aws:iam::123456789012:role/Admin")
    assert result.returncode == 2
    assert "profile name" in result.stderr


def test_logout_removes_only_what_maws_wrote(maws, stack):
    maws.write_config(region="eu-west-1")
    credentials = maws.home / ".aws" / "credentials"
    config = maws.home / ".aws" / "config"
    credentials.parent.mkdir()
    credentials.write_text(EXISTING_CREDENTIALS)
    config.write_text("[default]\nregion = us-east-1\n")
    assert maws.run("-o", "awscli", "-r", stack.role_arn("Admin")).returncode == 0
    assert maws.run("-o", "shared", "-r", stack.role_arn("Admin")).returncode == 0
    assert "region = eu-west-1" in config.read_text()

    refused = maws.run("logout", "--profile", "default", config=False)
    assert refused.returncode == 1
    assert "has not written a profile named 'default'" in refused.stderr

    result = maws.run("logout", "--all", config=False, env={"AWS_PROFILE": "maws-demo-Admin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN "
                             "AWS_SESSION_EXPIRATION AWS_CREDENTIAL_EXPIRATION AWS_ACCOUNT_ID MAWS_PROMPT AWS_PROFILE;\n")
    assert credentials.read_text() == EXISTING_CREDENTIALS + "\n"
    assert config.read_text() == "[default]\nregion = us-east-1\n"
    assert "[maws-demo-Admin]" not in (maws.home / "xdg-config" / "maws" / "credentials").read_text()
    assert json.loads((maws.home / ".local" / "state" / "maws" / "written-profiles.json").read_text()) == []


def test_logout_of_the_current_profile_in_fish(maws, stack):
    assert maws.run("-o", "shared", "-r", stack.role_arn("Admin")).returncode == 0
    shared = str(maws.home / "xdg-config" / "maws" / "credentials")
    result = maws.run("logout", "--shell", "fish", config=False,
                      env={"AWS_PROFILE": "maws-demo-Admin", "AWS_SHARED_CREDENTIALS_FILE": shared})
    assert result.returncode == 0, result.stderr
    assert "set -e AWS_PROFILE;\nset -e AWS_SHARED_CREDENTIALS_FILE;\n" in result.stdout
    assert "removed [maws-demo-Admin] in " + shared in result.stderr


def prompt_snippet():
    text = README.read_text()
    return text.split("<!-- prompt-snippet -->\n```sh\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("expiration, expected", [("2999-01-01T00:00:00Z", "(maws-demo-Admin) "),
                                                  ("2001-01-01T00:00:00Z", "(maws-demo-Admin expired) "),
                                                  (None, "")])
def test_the_documented_prompt_snippet(expiration, expected):
    env = {"PATH": os.environ["PATH"]}
    if expiration:
        env.update({"MAWS_PROMPT": "maws-demo-Admin", "AWS_SESSION_EXPIRATION": expiration})
    for shell in ["bash"] + (["zsh"] if subprocess.run(["which", "zsh"], capture_output=True).returncode == 0 else []):
        result = subprocess.run([shell, "-c", prompt_snippet() + "\nmaws_prompt"], env=env, capture_output=True, text=True)
        assert result.stdout == expected, (shell, result.stderr)


def aws_configure(maws, profile, key_id, secret):
    """What a person does with the AWS CLI: store long-lived keys in a profile."""
    env = {"PATH": os.environ["PATH"], "HOME": str(maws.home)}
    for name, value in (("aws_access_key_id", key_id), ("aws_secret_access_key", secret)):
        subprocess.run([AWS_CLI, "configure", "set", name, value, "--profile", profile], env=env, check=True)


def test_long_lived_keys_stored_after_maws_wrote_the_profile_survive_logout_and_later_writes(maws, stack):
    credentials = maws.home / ".aws" / "credentials"
    assert maws.run("-o", "awscli", "--profile", "default", "-r", stack.role_arn("Admin")).returncode == 0
    assert "aws_access_key_id = ASIA" in credentials.read_text()
    aws_configure(maws, "default", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    with_long_lived_keys = credentials.read_text()
    assert "AKIAIOSFODNN7EXAMPLE" in with_long_lived_keys

    logout = maws.run("logout", "--all", config=False)
    assert logout.returncode == 0, logout.stderr
    assert credentials.read_text() == with_long_lived_keys, "logout removed keys maws did not write"
    assert f"left [default] in {credentials} as it is: it no longer holds what maws wrote there" in logout.stderr

    again = maws.run("-o", "awscli", "--profile", "default", "--no-cache", "-r", stack.role_arn("Admin"))
    assert again.returncode == 1
    assert "holds long-lived keys that maws did not write" in again.stderr
    assert credentials.read_text() == with_long_lived_keys, "a later maws run replaced long-lived keys"


def test_logout_leaves_a_section_whose_temporary_keys_are_someone_elses(maws, stack):
    credentials = maws.home / ".aws" / "credentials"
    credentials.parent.mkdir()
    credentials.write_text("[work]\nregion = us-west-2\n")
    assert maws.run("-o", "awscli", "--profile", "work", "-r", stack.role_arn("Admin")).returncode == 0
    # Another tool (aws-vault, SSO) puts its own temporary keys into the person's section.
    text = re.sub(r"aws_access_key_id = ASIA\w+", "aws_access_key_id = ASIAOTHERTOOL", credentials.read_text())
    credentials.write_text(text)
    logout = maws.run("logout", "--profile", "work", config=False)
    assert logout.returncode == 0, logout.stderr
    assert credentials.read_text() == text
    assert "left [work]" in logout.stderr


def test_logout_removes_a_section_maws_created_even_after_another_maws_run_refreshed_it(maws, stack):
    credentials = maws.home / ".aws" / "credentials"
    assert maws.run("-o", "awscli", "-r", stack.role_arn("Admin")).returncode == 0
    first = credentials.read_text()
    # A second run (another terminal, another role session) refreshes the keys maws created.
    assert maws.run("-o", "awscli", "--no-cache", "-r", stack.role_arn("Admin")).returncode == 0
    assert credentials.read_text() != first
    logout = maws.run("logout", "--all", config=False)
    assert logout.returncode == 0, logout.stderr
    assert credentials.read_text() == ""


def test_a_config_file_maws_refuses_to_edit_leaves_the_credentials_file_unwritten(maws, stack):
    maws.write_config(region="eu-west-1")
    aws = maws.home / ".aws"
    aws.mkdir()
    config = "[DEFAULT]\nregion = us-east-1\n"  # inherited by every profile: maws will not add one beside it
    (aws / "config").write_text(config)
    result = maws.run("-o", "awscli", "-r", stack.role_arn("Admin"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"{aws / 'config'}:1:" in result.stderr
    assert not (aws / "credentials").exists(), "the profile was written although its region could not be"
    assert (aws / "config").read_text() == config


def test_a_file_logout_cannot_edit_stops_nothing_else(maws, stack):
    assert maws.run("-o", "awscli", "-r", stack.role_arn("Admin")).returncode == 0
    assert maws.run("-o", "shared", "-r", stack.role_arn("Admin")).returncode == 0
    credentials = maws.home / ".aws" / "credentials"
    credentials.write_text("[DEFAULT]\nregion = eu-west-1\n\n" + credentials.read_text())  # maws will not edit this file
    before = credentials.read_text()
    result = maws.run("logout", "--all", config=False)
    assert result.returncode == 1
    assert result.stdout.startswith("unset AWS_ACCESS_KEY_ID"), "the shell is still told to forget the variables"
    assert "[maws-demo-Admin]" not in (maws.home / "xdg-config" / "maws" / "credentials").read_text()
    assert credentials.read_text() == before
    errors = [line for line in result.stderr.splitlines() if line.startswith("maws: error:")]
    assert len(errors) == 1 and f"[maws-demo-Admin] in {credentials}:" in errors[0] and "run maws logout again" in errors[0]
    cached = {p.name.split("-")[0] for p in (maws.home / "cache" / "maws").iterdir()}
    assert not cached & {"credentials", "session", "roles"}, "the cache was left because of the file"


def test_a_quote_followed_by_a_combining_mark_stays_quoted_in_fish(maws, stack):
    name = "team'\u0301; touch PWNED; echo '\u0301"
    result = maws.run("-o", "shared", "--shell", "fish", "--profile", name, "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    shell = fish(maws, stack, result.stdout, "printf '%s' $AWS_PROFILE")
    assert not (maws.home / "PWNED").exists(), "text after the quote ran as a command"
    assert shell.stdout == name


def test_a_warm_run_opens_no_library_and_no_connection(maws, stack):
    """With valid cached credentials, maws answers from its cache: libcurl and libcrypto are never
    opened (glibc's LD_DEBUG=files names every library dlopen loads), and nothing reaches the IdP
    or STS."""
    role = stack.role_arn("Admin")
    assert maws.run("-o", "boto", "-r", role).returncode == 0
    idp_before, sts_before = stack.idp_log.count(), stack.aws_app.actions_seen("AssumeRoleWithWebIdentity")
    for arguments in (["-b", "-o", "boto", "-r", role], ["credential-process", "--role-arn", role]):
        result = maws.run(*arguments, env={"LD_DEBUG": "files"})
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)
        loaded = [line for line in result.stderr.splitlines() if "dynamically loaded by" in line]
        assert loaded == [], loaded
    assert stack.idp_log.count() == idp_before
    assert stack.aws_app.actions_seen("AssumeRoleWithWebIdentity") == sts_before
