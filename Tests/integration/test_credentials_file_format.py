"""Property: for every file in a corpus of tricky AWS credentials and config files, `maws -o awscli`
either edits it losslessly (botocore then reads exactly the old values plus maws's keys, every
byte outside maws's lines is unchanged, and `maws logout` gives the original back) or refuses
with FILE:LINE and leaves it byte for byte as it was. It never writes a file botocore reads
differently, and it refuses every file botocore cannot read.

botocore is the reference: the AWS CLI v1 and boto3 read the files with
`botocore.configloader`, which this test calls directly.
"""

import difflib
import locale
import os
import random
import re
import shlex
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import botocore.configloader
import botocore.exceptions
import pytest

from helpers import Maws

PROFILE = "maws-p"
REGION = "eu-west-1"
CREDENTIAL_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


@dataclass
class Case:
    id: str
    kind: str  # "credentials" or "config"
    text: str
    profile: str = PROFILE
    # For hand-written cases, what must happen: "edit" (botocore reads the file and maws edits
    # it), "refuse" (botocore reads it, maws will not edit around it), "unreadable" (botocore
    # cannot read it, so maws must refuse it). Generated cases may go either way.
    expect: str = ""


# Files botocore reads and maws must edit: one or more per rule of the format.
EDITED_CREDENTIALS = {
    "issue-comment-after-header": "[work] ; team account\naws_access_key_id = AKIAWORK\naws_secret_access_key = s\n",
    "issue-hash-after-header": "[profile x] # note\nregion = us-east-1\n",
    "target-with-comment-after-header": f"[{PROFILE}] ; mine\nregion = us-east-1 # inline\n\n[other]\nk = v\n",
    "header-runs-to-last-bracket": "[a] ; see [b]\nk = 1\n[c]]\nk = 2\n[d] = 1\nk = 3\n",
    "case-makes-another-profile": f"[{PROFILE.upper()}]\nk = 1\n",
    "inline-comments-are-values": "[a]\nregion = eu-west-1   # ireland\noutput = json ; or text\nx = %(not)s interpolated\n",
    "continuation-across-blank-lines": "[a]\nx = 1\n\n  y = 2\n\n\n[b]\nk = v\n",
    "comment-inside-continuation": "[a]\nx = 1\n  # not in the value\n  y\n; nor this\n\tz\n",
    "indented-header-is-a-continuation": f"[a]\nx = 1\n  [{PROFILE}]\n  aws_access_key_id = ASIAFAKE\n",
    "indented-header-after-indented-entry": "[a]\n  x = 1\n  [b]\ny = 2\n",
    "indented-entries": "[a]\n    x = 1\n  y = 2\n      z\n",
    "target-indented-then-header": f"[{PROFILE}]\n   region = us-east-1\n   [b]\nk = v\n",
    "python-whitespace": "[a]\n\u00a0x\u3000=\u2003 1\u00a0\n\x0c\n\u00a0 continued\nk\x0b= v\x1c\n\x1f\n",
    "vertical-tab-and-nel-inside-values": "[a]\nk = 1\x0b2\x853\u20284\n",
    "lone-cr": "[a]\rx = 1\r  more\r\r[b]\ry = 2\r",
    "crlf-no-final-newline": "[a]\r\nx = 1\r\n\r\n[b]\r\ny = 2",
    "mixed-endings": "[a]\nx = 1\r\n[b]\ry = 2\r\n",
    "no-final-newline-in-target": f"[other]\nk = v\n[{PROFILE}]\nregion = us-east-1",
    "target-header-only-at-eof": f"[other]\nk = v\n\n[{PROFILE}]",
    "empty": "",
    "comments-only": "# nothing here\n; really\n",
    "blank-lines-only": "  \n\t\n",
    "keys-any-case": f"[{PROFILE}]\nAWS_Access_Key_ID: ASIAOLD\nAws_Secret_Access_Key=old\nAWS_SESSION_TOKEN = old\n  token\nRegion = us-east-1\n",
    "owned-multiline-value": f"[{PROFILE}]\naws_session_token = a\n\n  b\n# note\n  c\nregion = x\n[after]\nk = v\n",
    "delimiters": "[a]\nk1=v\nk2 : v\nk3:v=w\nk4 = a:b\nmy key = spaced key\nempty =\nempty2:\n",
    "nfc-and-nfd-names": "[caf\u00e9]\nk = 1\n[cafe\u0301]\nk = 2\n",
    "non-ascii-lowercase-key": "[a]\n\u00e9t\u00e9 = summer\n",
    "nul-and-controls": "[a]\nk = a\x00b\x07c\n# \x1b[31m\n",
    "nested-settings": "[a]\ns3 =\n  addressing_style = path\n\n  signature_version = s3v4\n",
    "default-keyword-is-plain": "[default] ; mine\nregion = us-east-1\n[Default]\nk = v\n",
    "profile-words-are-plain-names": '[profile "x"]\nk = 1\n[profile  x]\nk = 2\n',
}
EDITED_CONFIG = {
    "issue-hash-after-header": "[profile x] # note\nregion = us-east-1\n",
    "issue-comment-after-header": "[work] ; team account\nregion = us-east-1\n",
    "target-hash-after-header": f"[profile {PROFILE}] # note\noutput = json\n",
    "target-region-kept": f"[profile {PROFILE}]\nregion = us-west-2 # the user's own\n",
    "target-indented-then-header": f"[profile {PROFILE}]\n  output = json\n  [profile b]\nregion = x\n",
    "not-a-profile-three-words": f"[profile {PROFILE} extra]\noutput = json\n",
    "not-a-profile-unclosed-quote": "[profile \"x]\noutput = json\n",
    "sso-and-services": "[sso-session s]\nsso_region = us-east-1\n[services dev]\ns3 =\n  endpoint_url = http://localhost\n[plugins]\nk = v\n",
    "default-and-profile-default": "[default]\nregion = us-east-1\n[profile default]\nregion = us-west-2\n",
    "continuation-across-blank-lines": "[profile a]\nx = 1\n\n  y = 2\n",
    "lone-cr": "[profile a]\rregion = x\r",
    "crlf": f"[profile a]\r\nregion = x\r\n\r\n[profile {PROFILE}]\r\noutput = json",
    "empty": "",
}
# Files botocore reads, but in a way maws does not edit around.
REFUSED_CREDENTIALS = {
    "lookalike-with-bracketed-comment": f"[{PROFILE}] ; was [old]\nk = 1\n",
    "lookalike-padded": f"[ {PROFILE} ]\nk = 1\n",
    "non-ascii-capital-key": "[a]\n\u00c9T\u00c9 = summer\n",
    "default-section": "[DEFAULT]\nregion = us-east-1\n[a]\nk = v\n",
    "default-section-twice": "[DEFAULT]\na = 1\n[x]\n[DEFAULT]\nb = 2\n",
}
REFUSED_CONFIG = {
    "quoted-alias": f'[profile "{PROFILE}"]\noutput = json\n',
    "single-quoted-alias": f"[profile '{PROFILE}']\noutput = json\n",
    "spaced-alias": f"[profile   {PROFILE}]\noutput = json\n",
    "profiles-alias": f"[profiles {PROFILE}]\noutput = json\n",
    "tab-alias": f"[profile\t{PROFILE}]\noutput = json\n",
    "two-aliases": f"[profile {PROFILE}]\noutput = json\n[profile \"{PROFILE}\"]\noutput = text\n",
    "lookalike-bracketed-comment": f"[profile {PROFILE}] ; old [name]\noutput = json\n",
    "lookalike-padded": f"[ profile {PROFILE} ]\noutput = json\n",
    "default-section": "[DEFAULT]\nregion = us-east-1\n[profile a]\n",
}
# Files botocore cannot read, which maws must therefore refuse.
UNREADABLE_CREDENTIALS = {
    "duplicate-section": "[a]\nk = 1\n[b]\n[a]\n",
    "duplicate-key-any-case": "[a]\nkey = 1\nKEY = 2\n",
    "duplicate-target": f"[{PROFILE}]\n[{PROFILE}]\n",
    "key-before-section": "k = v\n[a]\n",
    "byte-order-mark": "\ufeff[a]\nk = v\n",
    "unclosed-header": "[a]\nk = v\n[b\n",
    "empty-header": "[a]\n[]\n",
    "no-delimiter": "[a]\njust words\n",
    "zero-width-space-is-not-whitespace": "[a]\nk = v\n\u200b\n",
    "empty-key": "[a]\n= v\n",
    "nested-without-equals": "[a]\ns3 =\n  addressing_style\n",
    "nested-after-blank-line": "[a]\ntoken =\n\n  more\n",
}
UNREADABLE_CONFIG = {
    "byte-order-mark": "\ufeff[profile a]\nregion = x\n",
    "duplicate-profile-section": f"[profile {PROFILE}]\n[profile {PROFILE}]\n",
    "nested-without-equals": "[profile a]\ns3 =\n  nope\n",
}


def hand_written():
    cases = []
    for kind, groups in (("credentials", ((EDITED_CREDENTIALS, "edit"), (REFUSED_CREDENTIALS, "refuse"), (UNREADABLE_CREDENTIALS, "unreadable"))),
                         ("config", ((EDITED_CONFIG, "edit"), (REFUSED_CONFIG, "refuse"), (UNREADABLE_CONFIG, "unreadable")))):
        for files, expect in groups:
            cases += [Case(f"{kind}-{name}", kind, text, expect=expect) for name, text in files.items()]
    # Profile names that need care: the one the issue is about, `default`, and one with spaces and
    # quotes, which the config file must quote.
    cases += [
        Case("credentials-existing-work", "credentials", EDITED_CREDENTIALS["issue-comment-after-header"].replace("AKIA", "ASIA"),
             "work", "edit"),
        Case("credentials-default", "credentials", "[default] ; mine\nregion = us-east-1\n", "default", "edit"),
        Case("config-default", "config", "[default] ; mine\noutput = json\n", "default", "edit"),
        Case("config-default-twice", "config", "[default]\noutput = json\n[profile default]\noutput = text\n", "default", "refuse"),
        Case("config-existing-x", "config", "[profile x] # note\noutput = json\n", "x", "edit"),
        Case("credentials-quotes-and-spaces", "credentials", "[other]\nk = v\n", "it's my \"profile\"", "edit"),
        Case("config-quotes-and-spaces", "config", "[profile other]\nk = v\n", "it's my \"profile\"", "edit"),
        Case("config-quoted-existing", "config", "[profile 'my profile']\noutput = json\n", "my profile", "edit"),
        Case("config-double-quoted-existing", "config", '[profile "my profile"]\noutput = json\n', "my profile", "refuse"),
    ]
    return cases


def generated(kind, count, seed):
    """Random files from tricky pieces: headers with comments and odd spacing, every delimiter,
    Python's whitespace, continuations, comments in odd places, all three line endings."""
    rng = random.Random(seed)
    if kind == "credentials":
        names = [PROFILE, PROFILE, "work", "Work", " work", "default", "profile work", "caf\u00e9", PROFILE.upper(), "a] [b"]
    else:
        names = [f"profile {PROFILE}", f"profile {PROFILE}", "profile work", "default", "profile default", "sso-session s",
                 "services s", f"profile  {PROFILE}", "plugins", f"profile '{PROFILE}'", "profile a b"]
    spaces = ["", "", "", " ", "  ", "\t", "\u00a0", "\x0c", "\u3000"]
    keys = ["region", "Region", "output", "aws_session_token", "AWS_Session_Token", "role_arn", "source_profile", "my key",
            "s3", "duration_seconds", "mfa_serial", "x"]
    values = ["eu-west-1", "eu-west-1 # comment", "json ; note", "", "a = b", "a:b", "%(x)s", "caf\u00e9", "ASIAOLD", "[not] a header"]

    def header():
        name = rng.choice(names)
        after = rng.choice(["", "", "", " ; team account", " # note", "  ", " ; see [docs]", "junk"])
        return rng.choice(spaces[:6]) + f"[{name}]" + after

    def entry():
        return (rng.choice(spaces[:5]) + rng.choice(keys) + rng.choice(spaces) + rng.choice(["=", "=", ":", "="])
                + rng.choice(spaces) + rng.choice(values) + rng.choice(spaces))

    def other():
        return rng.choice([
            "", "", "  ", "\t", "\u00a0", "# comment", "; comment", "   # indented comment", "\t;x",
            "  continued", "\tcontinued", "    [indented header]", "   key = indented", "      addressing_style = path",
        ])

    cases = []
    for number in range(count):
        lines = []
        for _ in range(rng.randint(1, 4)):
            lines.append(header())
            for _ in range(rng.randint(0, 4)):
                lines.append(entry() if rng.random() < 0.55 else other())
        if rng.random() < 0.3:
            lines.insert(0, rng.choice(["# leading comment", "", "; x"]))
        endings = rng.choice([["\n"], ["\n"], ["\n"], ["\r\n"], ["\r"], ["\n", "\r\n", "\r"]])
        text = "".join(line + rng.choice(endings) for line in lines)
        if rng.random() < 0.2:
            text = text.rstrip("\r\n")
        if rng.random() < 0.03:
            text = "\ufeff" + text
        cases.append(Case(f"{kind}-generated-{number}", kind, text))
    return cases


CORPUS = hand_written() + generated("credentials", 100, 1) + generated("config", 100, 2)


def config_section(profile):
    """The section maws writes a profile into in the config file (botocore maps it back)."""
    if profile == "default":
        return "default"
    plain = f"profile {profile}"
    try:
        if shlex.split(plain) == ["profile", profile]:
            return plain
    except ValueError:
        pass
    return f"profile {shlex.quote(profile)}"


def botocore_reading(path, kind):
    """What botocore reads from the file: raw sections, and for a config file its profile map."""
    raw = botocore.configloader.raw_config_parse(str(path))
    if kind == "credentials":
        return {"sections": raw}
    return {"sections": raw, "config": botocore.configloader.build_profile_map(raw)}


def split_lines(text):
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def maws_line(line, header):
    """A line maws may have added: its section's header, a blank separator, one of its keys."""
    body = line.rstrip("\r\n")
    return (body in ("", f"[{header}]")
            or re.fullmatch(r" *(aws_access_key_id|aws_secret_access_key|aws_session_token|region) = [^\s]+", body) is not None)


def only_maws_lines_added(before, after, header):
    """Every byte of `before` is in `after`, in order, and everything else is a line of maws's
    (a file that lacked a final newline may have gained one)."""
    candidates = [before] + ([before + ending for ending in ("\n", "\r\n", "\r")] if before and before[-1] not in "\r\n" else [])
    for original in candidates:
        old, new = split_lines(original), split_lines(after)
        opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        if all(tag == "equal" or (tag == "insert" and all(maws_line(line, header) for line in new[j1:j2]))
               for tag, i1, i2, j1, j2 in opcodes):
            return True
    return False


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A directory for maws's home and the corpus files: in memory where there is /dev/shm, since
    maws fsyncs every file it writes and the corpus has hundreds of them."""
    memory = Path("/dev/shm")
    if memory.is_dir() and os.access(memory, os.W_OK):
        directory = Path(tempfile.mkdtemp(prefix="maws-format-", dir=memory))
        yield directory
        shutil.rmtree(directory, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("format")


@pytest.fixture(scope="module")
def warm(stack, scratch):
    """A maws that has signed in once: after this every write answers from its cache."""
    home = scratch / "home"
    home.mkdir()
    maws = Maws(stack, home)
    maws.write_config(region=REGION)
    arn = stack.role_arn("Admin")
    first = maws.run("-o", "awscli", "-r", arn)
    assert first.returncode == 0, first.stderr
    return maws, arn


def test_botocore_reads_the_files_as_utf8():
    assert locale.getpreferredencoding(False).lower().replace("-", "") == "utf8"


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.id)
def test_maws_edits_losslessly_or_refuses_with_a_line(warm, scratch, case):
    maws, arn = warm
    directory = scratch / case.id
    directory.mkdir()
    credentials, config = directory / "credentials", directory / "config"
    target = credentials if case.kind == "credentials" else config
    original = case.text.encode()
    target.write_bytes(original)
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(credentials), "AWS_CONFIG_FILE": str(config)}
    try:
        before = botocore_reading(target, case.kind)
    except botocore.exceptions.ConfigParseError:
        before = None
    assert (before is None) == (case.expect == "unreadable") or not case.expect, "the corpus says otherwise"

    # sh output takes only names that survive unquoted `eval $(maws)`; fish output takes any.
    shell = "sh" if re.fullmatch(r"[A-Za-z0-9._@+=,-]+", case.profile) else "fish"
    result = maws.run("-o", "awscli", "--shell", shell, "--profile", case.profile, "-r", arn, env=env)
    if case.expect == "edit":
        assert result.returncode == 0, result.stderr
    elif case.expect:
        assert result.returncode != 0, f"maws edited it:\n{target.read_text()!r}"

    if result.returncode != 0:
        assert target.read_bytes() == original, "a refused file is left byte for byte as it was"
        errors = re.findall(rf"^maws: error: {re.escape(str(target))}:(\d+): \S.*; \S.*$", result.stderr, re.MULTILINE)
        assert len(errors) == 1 and len(result.stderr.splitlines()) == 1, result.stderr
        line = int(errors[0])
        assert 1 <= line <= max(len(split_lines(case.text)), 1)
        return

    assert before is not None, f"botocore cannot read the original, yet maws edited it:\n{target.read_text()!r}"
    after = botocore_reading(target, case.kind)
    text = target.read_bytes().decode()
    if case.kind == "credentials":
        section = case.profile
        new = after["sections"][section]
        assert all(key in new for key in CREDENTIAL_KEYS) and new["aws_access_key_id"].startswith("ASIA")
        written = set(CREDENTIAL_KEYS)
        expected = {key: value for key, value in before["sections"].get(section, {}).items() if key not in written}
        assert new == {**expected, **{key: new[key] for key in CREDENTIAL_KEYS}}
    else:
        section = config_section(case.profile)
        old_profile = before["config"]["profiles"].get(case.profile, {})
        written = set() if "region" in old_profile else {"region"}
        assert after["config"]["profiles"][case.profile] == {"region": REGION, **old_profile}
        assert {k: v for k, v in after["config"]["profiles"].items() if k != case.profile} == \
               {k: v for k, v in before["config"]["profiles"].items() if k != case.profile}
        assert {k: v for k, v in after["config"].items() if k != "profiles"} == \
               {k: v for k, v in before["config"].items() if k != "profiles"}
    assert {k: v for k, v in after["sections"].items() if k != section} == \
           {k: v for k, v in before["sections"].items() if k != section}
    existed = section in before["sections"]
    replaced = bool(written & set(before["sections"].get(section, {})))
    if not replaced:
        assert only_maws_lines_added(case.text, text, section), f"{case.text!r}\n->\n{text!r}"

    logout(maws, case.profile, env)
    restored = target.read_bytes()
    if not existed:
        assert restored == original or (restored[:len(original)] == original and restored[len(original):] in (b"\n", b"\r\n", b"\r")
                                         and original[-1:] not in (b"\n", b"\r")), f"{original!r}\n->\n{restored!r}"
    else:
        # maws cannot tell a section it filled from one it created: logout takes its keys out of
        # the section, and the section too when nothing else is left in it.
        expected = dict(before["sections"])
        expected[section] = {k: v for k, v in expected[section].items() if k not in written}
        if not expected[section]:
            expected.pop(section)
        reading = botocore_reading(target, case.kind)["sections"]
        if section not in expected and reading.get(section) == {}:
            del reading[section]
        assert reading == expected


def logout(maws, profile, env):
    result = maws.run("logout", "--profile", profile, config=False, env=env)
    assert result.returncode == 0, result.stderr
