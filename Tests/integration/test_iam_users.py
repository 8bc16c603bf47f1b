"""IAM users with MFA: SigV4 (checked by botocore), session tokens, role assumption across
accounts, keys encrypted at rest, and key rotation, against moto with AWS's checks added."""

import json
import os
import re
import subprocess
import uuid

import pytest

from helpers import admin_client, boto3_caller_arn, exports_of, interrupted, terminal_mode_on
from maws_stack.aws_auth import totp

HUB = "123456789012"
SPOKE = "222222222222"


@pytest.fixture(scope="module")
def spoke_roles(stack):
    """Roles in a second account that users of the first may assume: Deploy needs MFA, Partner an
    external id, Reader trusts Deploy (for role chaining)."""
    iam = admin_client(stack, "iam", SPOKE)

    def role(name, principal, condition=None, max_duration=43200):
        statement = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}
        if condition:
            statement["Condition"] = condition
        iam.create_role(RoleName=name, MaxSessionDuration=max_duration,
                        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
        return f"arn:aws:iam::{SPOKE}:role/{name}"

    return {
        "deploy": role("Deploy", f"arn:aws:iam::{HUB}:root", {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
        "partner": role("Partner", f"arn:aws:iam::{HUB}:root", {"StringEquals": {"sts:ExternalId": "partner-7"}}),
        "reader": role("Reader", f"arn:aws:iam::{SPOKE}:role/Deploy"),
    }


class User:
    def __init__(self, stack, maws, mfa=True):
        self.stack, self.maws = stack, maws
        self.name = "user-" + uuid.uuid4().hex[:8]
        iam = stack.client("iam")
        iam.create_user(UserName=self.name)
        key = iam.create_access_key(UserName=self.name)["AccessKey"]
        self.key_id, self.secret = key["AccessKeyId"], key["SecretAccessKey"]
        self.serial = self.seed = None
        if mfa:
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=self.name)["VirtualMFADevice"]
            self.serial = device["SerialNumber"]
            seed = device["Base32StringSeed"]
            self.seed = seed.decode() if isinstance(seed, bytes) else seed
            iam.enable_mfa_device(UserName=self.name, SerialNumber=self.serial,
                                  AuthenticationCode1=totp(self.seed), AuthenticationCode2=totp(self.seed, at=None))

    def code(self):
        return totp(self.seed)

    def keys(self):
        return {k["AccessKeyId"] for k in self.stack.client("iam").list_access_keys(UserName=self.name)["AccessKeyMetadata"]}

    def write_profiles(self, config="", with_serial=True):
        aws = self.maws.home / ".aws"
        aws.mkdir(exist_ok=True)
        (aws / "credentials").write_text(f"# my keys\n[hub]\naws_access_key_id = {self.key_id}\n"
                                         f"aws_secret_access_key = {self.secret}\nregion = eu-west-1\n")
        serial = f"mfa_serial = {self.serial}\n" if self.serial and with_serial else ""
        (aws / "config").write_text(f"[profile hub]\n{serial}" + config)

    def run(self, *args, password_lines=None, env=None):
        environment = {"PATH": os.environ["PATH"], "HOME": str(self.maws.home), "XDG_CACHE_HOME": str(self.maws.home / "cache"),
                       "XDG_CONFIG_HOME": str(self.maws.home / "xdg"), "XDG_STATE_HOME": str(self.maws.home / "state"),
                       "AWS_ENDPOINT_URL": self.stack.aws.url, "AWS_CA_BUNDLE": self.stack.ca_file, **(env or {})}
        fds = ()
        if password_lines is not None:
            read, write = os.pipe()
            os.write(write, "".join(line + "\n" for line in password_lines).encode())
            os.close(write)
            environment["MAWS_PASSWORD_FD"] = str(read)
            fds = (read,)
        try:
            return subprocess.run([self.maws.binary, *args], env=environment, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, pass_fds=fds, timeout=60)
        finally:
            for fd in fds:
                os.close(fd)


def test_whoami_reads_the_profile_or_the_environment(maws, stack):
    user = User(stack, maws, mfa=False)
    user.write_profiles()
    result = user.run("whoami", "--profile", "hub")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Arn"] == f"arn:aws:iam::{HUB}:user/{user.name}"
    from_env = user.run("whoami", env={"AWS_ACCESS_KEY_ID": user.key_id, "AWS_SECRET_ACCESS_KEY": user.secret})
    assert json.loads(from_env.stdout)["Account"] == HUB


def test_every_signature_is_the_one_botocore_computes(maws, stack):
    user = User(stack, maws, mfa=False)
    user.write_profiles()
    before = stack.aws_app.signed.verified
    assert user.run("whoami", "--profile", "hub").returncode == 0
    assert stack.aws_app.signed.verified == before + 1
    (maws.home / ".aws" / "credentials").write_text(f"[hub]\naws_access_key_id = {user.key_id}\naws_secret_access_key = wrong\n")
    refused = user.run("whoami", "--profile", "hub")
    assert refused.returncode == 1
    assert "SignatureDoesNotMatch" in refused.stderr and "its secret is wrong" in refused.stderr
    assert "wrong" not in refused.stderr.replace("is wrong", "")


def test_session_with_mfa_is_cached_and_a_wrong_code_refused(maws, stack):
    user = User(stack, maws)
    user.write_profiles("[profile other]\nsource_profile = hub\n" + f"mfa_serial = {user.serial}\n")
    wrong = user.run("session", "--profile", "hub", "--mfa-code", "000000" if user.code() != "000000" else "111111")
    assert wrong.returncode == 1
    assert "MFA code was wrong" in wrong.stderr and wrong.stdout == ""

    before = stack.aws_app.actions_seen("GetSessionToken")
    result = user.run("session", "--profile", "hub", "--mfa-code", user.code())
    assert result.returncode == 0, result.stderr
    exports = exports_of(result.stdout)
    assert boto3_caller_arn(stack, exports) == f"arn:aws:iam::{HUB}:user/{user.name}"
    assert exports["AWS_REGION"] == "eu-west-1" and exports["MAWS_PROMPT"] == "hub-session"
    assert stack.aws_app.actions_seen("GetSessionToken") == before + 1
    again = user.run("session", "--profile", "hub")  # cached: no code needed, no call made
    assert again.returncode == 0, again.stderr
    assert exports_of(again.stdout)["AWS_ACCESS_KEY_ID"] == exports["AWS_ACCESS_KEY_ID"]
    assert stack.aws_app.actions_seen("GetSessionToken") == before + 1


def test_session_without_an_mfa_device_and_finding_the_device(maws, stack):
    plain = User(stack, maws, mfa=False)
    plain.write_profiles()
    result = plain.run("session", "--profile", "hub", "--duration", "900")
    assert result.returncode == 0, result.stderr
    assert boto3_caller_arn(stack, exports_of(result.stdout)) == f"arn:aws:iam::{HUB}:user/{plain.name}"

    with_device = User(stack, maws)
    with_device.write_profiles(with_serial=False)  # maws must find the device with ListMFADevices
    no_code = with_device.run("session", "--profile", "hub")
    assert no_code.returncode == 1 and "no terminal to ask for" in no_code.stderr
    found = with_device.run("session", "--profile", "hub", "--mfa-code", with_device.code())
    assert found.returncode == 0, found.stderr


def test_assume_roles_across_accounts_with_mfa_external_id_and_chaining(maws, stack, spoke_roles):
    user = User(stack, maws)
    user.write_profiles(
        f"[profile deploy]\nrole_arn = {spoke_roles['deploy']}\nsource_profile = hub\nmfa_serial = {user.serial}\n"
        f"[profile partner]\nrole_arn = {spoke_roles['partner']}\nsource_profile = hub\nexternal_id = partner-7\n"
        f"[profile partner-bad]\nrole_arn = {spoke_roles['partner']}\nsource_profile = hub\nexternal_id = guess\n"
        f"[profile reader]\nrole_arn = {spoke_roles['reader']}\nsource_profile = deploy\nduration_seconds = 7200\n")
    deploy = user.run("assume", "--profile", "deploy", "--mfa-code", user.code())
    assert deploy.returncode == 0, deploy.stderr
    assert boto3_caller_arn(stack, exports_of(deploy.stdout)) == f"arn:aws:sts::{SPOKE}:assumed-role/Deploy/{user.name}"

    before = stack.aws_app.actions_seen("GetSessionToken")
    partner = user.run("assume", "--profile", "partner")  # the MFA session is reused: no new code
    assert partner.returncode == 0, partner.stderr
    assert stack.aws_app.actions_seen("GetSessionToken") == before
    assert "assumed-role/Partner/" in boto3_caller_arn(stack, exports_of(partner.stdout))
    refused = user.run("assume", "--profile", "partner-bad")
    assert refused.returncode == 1 and "AccessDenied" in refused.stderr

    chained = user.run("assume", "--profile", "reader")
    assert chained.returncode == 0, chained.stderr
    assert "role chaining" in chained.stderr and "3600 s instead of 7200 s" in chained.stderr
    assert "assumed-role/Reader/" in boto3_caller_arn(stack, exports_of(chained.stdout))


def test_source_profile_loops_are_reported(maws, stack):
    user = User(stack, maws, mfa=False)
    user.write_profiles("[profile a]\nrole_arn = arn:aws:iam::222222222222:role/A\nsource_profile = b\n"
                        "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = a\n")
    result = user.run("assume", "--profile", "a")
    assert result.returncode == 2
    assert "go round in a circle: a -> b -> a" in result.stderr


def test_import_rekey_decrypt_and_a_wrong_password(maws, stack):
    user = User(stack, maws, mfa=False)
    user.write_profiles()
    credentials = maws.home / ".aws" / "credentials"
    imported = user.run("import", "--profile", "hub", "--remove-plaintext", password_lines=["first password"])
    assert imported.returncode == 0, imported.stderr
    assert credentials.read_text() == "# my keys\n[hub]\nregion = eu-west-1\n"
    encrypted = maws.home / ".aws" / "credentials-hub.enc"
    assert oct(encrypted.stat().st_mode & 0o777) == "0o600"
    assert user.key_id not in encrypted.read_text() and user.secret not in encrypted.read_text()

    whoami = user.run("whoami", "--profile", "hub", password_lines=["first password"])
    assert json.loads(whoami.stdout)["Arn"].endswith(f":user/{user.name}")

    original = encrypted.read_bytes()
    wrong = user.run("crypto", "rekey", "--profile", "hub", password_lines=["not it", "new password"])
    assert wrong.returncode == 1 and "wrong password" in wrong.stderr
    assert encrypted.read_bytes() == original

    rekeyed = user.run("crypto", "rekey", "--profile", "hub", password_lines=["first password", "new password"])
    assert rekeyed.returncode == 0, rekeyed.stderr
    decrypted = user.run("crypto", "decrypt", "--profile", "hub", password_lines=["new password"])
    assert decrypted.stdout == f"[hub]\naws_access_key_id = {user.key_id}\naws_secret_access_key = {user.secret}\n"
    assert user.run("crypto", "decrypt", "--profile", "hub", password_lines=["first password"]).returncode == 1

    # A file renamed to another profile does not open: the profile name is bound in.
    encrypted.rename(maws.home / ".aws" / "credentials-other.enc")
    moved = user.run("crypto", "decrypt", "--profile", "other", password_lines=["new password"])
    assert moved.returncode == 1 and "wrong password" in moved.stderr


def test_rotate_plaintext_and_encrypted_keys(maws, stack):
    user = User(stack, maws, mfa=False)
    user.write_profiles()
    result = user.run("rotate", "--profile", "hub")
    assert result.returncode == 0, result.stderr
    text = (maws.home / ".aws" / "credentials").read_text()
    new_id = re.search(r"aws_access_key_id = (\S+)", text).group(1)
    assert new_id != user.key_id and user.keys() == {new_id}
    assert text.startswith("# my keys\n[hub]\n") and text.endswith("region = eu-west-1\n")
    assert user.run("whoami", "--profile", "hub").returncode == 0

    assert user.run("import", "--profile", "hub", "--remove-plaintext", password_lines=["pw"]).returncode == 0
    rotated = user.run("rotate", "--profile", "hub", password_lines=["pw"])
    assert rotated.returncode == 0, rotated.stderr
    newest = json.loads(user.run("whoami", "--profile", "hub", password_lines=["pw"]).stdout)
    assert user.keys() != {new_id} and len(user.keys()) == 1
    assert newest["Arn"].endswith(f":user/{user.name}")


def test_a_rotation_that_fails_midway_keeps_the_old_key(maws, stack):
    user = User(stack, maws, mfa=False)
    user.write_profiles()
    credentials = maws.home / ".aws" / "credentials"
    before = credentials.read_text()
    credentials.chmod(0o400)
    result = user.run("rotate", "--profile", "hub")
    assert result.returncode == 1
    assert "read-only" in result.stderr and "deleted the new key" in result.stderr
    assert credentials.read_text() == before
    assert user.keys() == {user.key_id}


def test_logout_all_removes_mfa_sessions_and_assumed_role_credentials(maws, stack, spoke_roles):
    user = User(stack, maws)
    user.write_profiles(f"[profile deploy]\nrole_arn = {spoke_roles['deploy']}\nsource_profile = hub\nmfa_serial = {user.serial}\n")
    assert user.run("session", "--profile", "hub", "--mfa-code", user.code()).returncode == 0
    assert user.run("assume", "--profile", "deploy").returncode == 0
    assert user.run("session", "--profile", "hub").returncode == 0, "the MFA session is cached"

    logout = user.run("logout", "--all")
    assert logout.returncode == 0, logout.stderr
    assert "1 MFA session" in logout.stderr and "1 assumed-role credential" in logout.stderr
    assert not [p.name for p in (maws.home / "cache" / "maws").iterdir() if p.name.startswith(("user-session", "assumed"))]

    again = user.run("session", "--profile", "hub")
    assert again.returncode == 1 and "no terminal to ask for" in again.stderr, "a session outlived logout --all"
    assert user.run("assume", "--profile", "deploy").returncode == 1


def encrypted_file_with_old_cost(path, profile, key_id, secret, password, n=1 << 15):
    """An encrypted key file as maws wrote them before N=2^17: scrypt and AES-256-GCM from
    Python's own libraries, in maws's file format."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    salt, nonce = os.urandom(16), os.urandom(12)
    key = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1, maxmem=256 * 8 * n + (1 << 20), dklen=32)
    plaintext = f"[{profile}]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n".encode()
    sealed = AESGCM(key).encrypt(nonce, plaintext, profile.encode())
    b64 = lambda data: base64.b64encode(data).decode()  # noqa: E731
    path.write_text(f"# old file\nmaws-encrypted-credentials: 1\nscrypt-n: {n}\nscrypt-r: 8\nscrypt-p: 1\n"
                    f"salt: {b64(salt)}\nnonce: {b64(nonce)}\nciphertext: {b64(sealed)}\n")
    path.chmod(0o600)


def scrypt_n(path):
    return int(re.search(r"^scrypt-n: (\d+)$", path.read_text(), re.MULTILINE).group(1))


def test_new_key_files_use_scrypt_2_17_and_rekey_upgrades_older_ones(maws, stack):
    user = User(stack, maws, mfa=False)
    user.write_profiles()
    assert user.run("import", "--profile", "hub", "--keep-plaintext", password_lines=["pw"]).returncode == 0
    assert scrypt_n(maws.home / ".aws" / "credentials-hub.enc") == 1 << 17

    old = maws.home / ".aws" / "credentials-legacy.enc"
    encrypted_file_with_old_cost(old, "legacy", user.key_id, user.secret, "old pw")
    (maws.home / ".aws" / "config").write_text("[profile legacy]\nregion = eu-west-1\n")
    whoami = user.run("whoami", "--profile", "legacy", password_lines=["old pw"])
    assert whoami.returncode == 0, whoami.stderr
    assert json.loads(whoami.stdout)["Arn"].endswith(f":user/{user.name}")
    rekeyed = user.run("crypto", "rekey", "--profile", "legacy", password_lines=["old pw", "new pw"])
    assert rekeyed.returncode == 0, rekeyed.stderr
    assert "scrypt N=131072, r=8, p=1" in rekeyed.stderr
    assert scrypt_n(old) == 1 << 17
    assert user.run("whoami", "--profile", "legacy", password_lines=["new pw"]).returncode == 0


def test_import_removes_the_plaintext_keys_from_every_file_it_read_them_from(maws, stack):
    user = User(stack, maws, mfa=False)
    aws = maws.home / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(f"# mine\n[hub]\naws_access_key_id = {user.key_id}\naws_secret_access_key = {user.secret}\n"
                                     "region = eu-west-1\n")
    (aws / "config").write_text(f"[profile hub]\noutput = json\naws_access_key_id = {user.key_id}\n"
                                f"aws_secret_access_key = {user.secret}\n[profile other]\nregion = us-east-2\n")
    result = user.run("import", "--profile", "hub", "--remove-plaintext", password_lines=["pw"])
    assert result.returncode == 0, result.stderr
    assert (aws / "credentials").read_text() == "# mine\n[hub]\nregion = eu-west-1\n"
    assert (aws / "config").read_text() == "[profile hub]\noutput = json\n[profile other]\nregion = us-east-2\n"
    assert f"removed aws_access_key_id and aws_secret_access_key from [hub] in {aws / 'credentials'}" in result.stderr
    assert f"removed aws_access_key_id and aws_secret_access_key from [profile hub] in {aws / 'config'}" in result.stderr
    assert user.secret not in result.stderr
    assert user.run("whoami", "--profile", "hub", password_lines=["pw"]).returncode == 0


def test_ctrl_c_at_the_password_prompt_restores_echo_and_exits_130(maws, stack):
    user = User(stack, maws, mfa=False)
    user.write_profiles()
    assert user.run("import", "--profile", "hub", "--remove-plaintext", password_lines=["pw"]).returncode == 0
    env = {"PATH": os.environ["PATH"], "HOME": str(maws.home), "XDG_CACHE_HOME": str(maws.home / "cache"),
           "AWS_ENDPOINT_URL": stack.aws.url, "AWS_CA_BUNDLE": stack.ca_file}
    status, settings = interrupted(f'"{maws.binary}" whoami --profile hub', "Password for credentials-hub.enc: ", env)
    assert status == 130
    assert terminal_mode_on(settings, "echo"), "echo is still off after Ctrl-C"


def test_import_never_removes_a_plaintext_pair_it_did_not_encrypt(maws, stack):
    user = User(stack, maws, mfa=False)
    aws = maws.home / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(f"[hub]\naws_access_key_id = {user.key_id}\naws_secret_access_key = {user.secret}\n")
    other = "[profile hub]\naws_access_key_id = AKIAOTHERPAIR0000000\naws_secret_access_key = other/secret/never/saved\n"
    (aws / "config").write_text(other)
    result = user.run("import", "--profile", "hub", "--remove-plaintext", password_lines=["pw"])
    assert result.returncode == 0, result.stderr
    assert (aws / "config").read_text() == other, "a key pair that was not encrypted was deleted"
    assert f"left [profile hub] in {aws / 'config'} as it is: its keys are not the ones encrypted" in result.stderr
    assert "aws_access_key_id" not in (aws / "credentials").read_text()
