"""`maws config populate`: a profile per listed role in ~/.aws/config, each on `maws
credential-process`, which the AWS CLI then uses with no other step."""

import configparser
import json
import os
import subprocess

from helpers import AWS_CLI


def aws_config(maws):
    parser = configparser.RawConfigParser()
    parser.read(maws.home / ".aws" / "config")
    return parser


def test_populate_writes_profiles_the_aws_cli_uses(maws, stack):
    maws.write_config(region="eu-west-1")
    result = maws.run_config("populate")
    assert result.returncode == 0, result.stderr
    config = aws_config(maws)
    admin = config["profile maws-demo-Admin"]
    assert admin["region"] == "eu-west-1"
    assert admin["credential_process"] == (
        f"{os.path.realpath(maws.binary)} credential-process -c {maws.config} --role-arn {stack.role_arn('Admin')}")
    assert "profile maws-demo-ReadOnly" in config
    env = maws.env(AWS_ENDPOINT_URL=stack.aws.url, AWS_CA_BUNDLE=stack.ca_file)
    identity = subprocess.run([AWS_CLI, "--profile", "maws-demo-Admin", "sts", "get-caller-identity", "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=60)
    assert identity.returncode == 0, identity.stderr
    assert json.loads(identity.stdout)["Arn"].endswith("assumed-role/Admin/alice@example.com")


def test_a_profile_maws_did_not_write_is_left_alone(maws, stack):
    path = maws.home / ".aws" / "config"
    path.parent.mkdir(parents=True, exist_ok=True)
    mine = "# my settings\n[profile maws-demo-ReadOnly]\nregion = us-west-2 ; keep\n"
    path.write_text(mine)
    result = maws.run_config("populate")
    assert result.returncode == 0, result.stderr
    assert "profile maws-demo-ReadOnly exists and maws did not write it; left as it is" in result.stderr
    text = path.read_text()
    assert text.startswith(mine)  # byte for byte, with the new section after it
    assert "[profile maws-demo-Admin]" in text


def test_dry_run_prints_a_diff_and_prune_removes_only_maws_profiles(maws, stack):
    dry = maws.run_config("populate", "--prefix", "old", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "+[profile old-Admin]" in dry.stdout
    assert not (maws.home / ".aws" / "config").exists()
    assert maws.run_config("populate", "--prefix", "old").returncode == 0
    path = maws.home / ".aws" / "config"
    path.write_text(path.read_text() + "\n[profile mine]\nregion = us-east-2\n")
    pruned = maws.run_config("populate", "--prefix", "new", "--prune")
    assert pruned.returncode == 0, pruned.stderr
    config = aws_config(maws)
    assert "profile new-Admin" in config and "profile mine" in config
    assert not any(section.startswith("profile old-") for section in config.sections())
