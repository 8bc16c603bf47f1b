"""The ID-token-for-roles API server (maws-roles serve) with real tokens from the stack's IdP."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from authlib.oidc.core.grants.util import generate_id_token
from joserfc.jwk import RSAKey

from maws_stack.idp import mint_id_token
from maws_stack.stack import CLIENT_ID

ROOT = Path(__file__).resolve().parents[2]


def roles_binary():
    return str(Path(os.environ.get("MAWS_BIN", ROOT / ".build" / "debug" / "maws")).parent / "maws-roles")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, stack, directory, rebuild_prefix="ad|Example-LDAP|"):
        self.stack = stack
        self.directory = directory
        self.map = directory / "group-role-map.json"
        self.aliases = directory / "account-aliases.json"
        self.map.write_text(json.dumps({
            "team-ops": ["arn:aws:iam::123456789012:role/Admin"],
            "finance-*": ["arn:aws:iam::123456789012:role/Billing", "arn:aws:iam::444444444444:role/Ledger"],
        }))
        self.aliases.write_text(json.dumps({"123456789012": ["maws-demo"], "444444444444": ["money"], "555555555555": ["other"]}))
        self.port = free_port()
        provider = stack.issuer.split("://", 1)[1]
        self.config = directory / "roles.ini"
        self.config.write_text(f"""[api]
well_known_url = {stack.well_known_url}
client_id = {CLIENT_ID}
group_role_map = {self.map}
account_aliases = {self.aliases}
rebuild_subject_prefix = {rebuild_prefix}
listen = 127.0.0.1:{self.port}

[builder]
provider = {provider}
client_id = {CLIENT_ID}
group_role_map = {self.map}
account_aliases = {self.aliases}

[account 123456789012]
role_arn = arn:aws:iam::123456789012:role/maws-role-reader
""")
        self.log = directory / "access.log"
        env = {"PATH": os.environ["PATH"], "HOME": str(directory), "AWS_ENDPOINT_URL": stack.aws.url,
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
        self.process = subprocess.Popen([roles_binary(), "serve", "-c", str(self.config)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                self.get("/healthz")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise RuntimeError("maws-roles serve did not start: " + self.log.read_text())

    def request(self, method, path, document=None):
        data = json.dumps(document).encode() if document is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response), dict(response.headers)
        except urllib.error.HTTPError as error:
            text = error.read()
            return error.code, json.loads(text) if text.startswith(b"{") else {}, dict(error.headers)

    def get(self, path):
        return self.request("GET", path)

    def roles(self, token, key=None):
        return self.request("POST", "/roles", {"token": token, "key": key or {}, "cache": True})

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=15)


@pytest.fixture
def server(stack, tmp_path):
    running = Server(stack, tmp_path)
    yield running
    if running.process.poll() is None:
        running.process.kill()


def token(stack, groups, sub="alice", audience=CLIENT_ID, lifetime=3600):
    return mint_id_token(stack.idp_app, stack.issuer, audience, {"sub": sub, "amr": groups}, lifetime=lifetime)


def test_roles_for_a_valid_token_with_wildcards_and_aliases(stack, server):
    status, body, _ = server.roles(token(stack, ["team-ops", "Finance-EU", "unrelated"]))
    assert status == 200, body
    assert body["roles"] == ["arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::123456789012:role/Billing",
                             "arn:aws:iam::444444444444:role/Ledger"]
    assert body["aliases"] == {"123456789012": ["maws-demo"], "444444444444": ["money"]}
    status, body, _ = server.roles(token(stack, ["nobody-group"]))
    assert status == 200 and body == {"roles": [], "aliases": {}}


@pytest.mark.parametrize("case", ["expired", "wrong-audience", "foreign-key", "foreign-key-with-its-jwks", "garbage", "no-token"])
def test_bad_tokens_are_refused(stack, server, case):
    if case == "expired":
        status, body, _ = server.roles(token(stack, ["team-ops"], lifetime=-900))
    elif case == "wrong-audience":
        status, body, _ = server.roles(token(stack, ["team-ops"], audience="another-client"))
    elif case.startswith("foreign-key"):
        key = RSAKey.generate_key(2048, private=True)
        real_kid = json.load(urllib.request.urlopen(f"{stack.issuer}/jwks"))["keys"][0]["kid"]
        forged = generate_id_token({}, {"sub": "mallory", "amr": ["team-ops"]}, key=key.as_dict(private=True),
                                   iss=stack.issuer, aud=[CLIENT_ID], kid=real_kid)
        # Sending the forger's own key set as "key" must not help: the server trusts only the issuer's JWKS.
        jwks = {"keys": [dict(key.as_dict(private=False), kid=real_kid)]} if case.endswith("jwks") else None
        status, body, _ = server.roles(forged, key=jwks)
    elif case == "garbage":
        status, body, _ = server.roles("not.a.token")
    else:
        status, body, _ = server.request("POST", "/roles", {"key": {}})
    assert status in (400, 401), (case, status, body)
    assert set(body) == {"error"}


def test_aliases_health_and_a_map_reloaded_on_change(stack, server):
    assert server.get("/account-aliases")[1]["555555555555"] == ["other"]
    status, health, _ = server.get("/healthz")
    assert status == 200 and health["status"] == "ok" and health["groups"] == 2
    server.map.write_text(json.dumps({"newcomers": ["arn:aws:iam::123456789012:role/ReadOnly"]}))
    status, body, _ = server.roles(token(stack, ["newcomers"]))
    assert body["roles"] == ["arn:aws:iam::123456789012:role/ReadOnly"]


def test_rebuild_needs_the_subject_prefix_and_is_rate_limited(stack, server):
    status, body, _ = server.request("POST", "/rebuild-group-role-map", {"token": token(stack, ["x"], sub="contractor|bob")})
    assert status == 403
    status, body, _ = server.request("POST", "/rebuild-group-role-map", {"token": token(stack, ["x"], sub="ad|Example-LDAP|alice")})
    assert status == 200, body
    assert "groups" in body["summary"]
    rebuilt = json.loads(server.map.read_text())
    assert rebuilt["everyone"] == ["arn:aws:iam::123456789012:role/ReadOnly"]
    status, body, headers = server.request("POST", "/rebuild-group-role-map", {"token": token(stack, ["x"], sub="ad|Example-LDAP|alice")})
    assert status == 429 and int(headers["Retry-After"]) > 200


def test_the_access_log_has_no_tokens_and_sigterm_stops_gracefully(stack, server):
    secret = token(stack, ["team-ops"])
    server.roles(secret)
    assert server.request("GET", "/no-such-path")[0] == 404
    assert server.stop() == 0
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    seen = [{k: line[k] for k in ("method", "path", "status")} for line in lines]
    assert {"method": "POST", "path": "/roles", "status": 200} in seen
    assert {"method": "GET", "path": "/no-such-path", "status": 404} in seen
    assert secret.split(".")[1] not in server.log.read_text()
