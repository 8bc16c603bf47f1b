"""The organisation side on shared storage: maps in moto's S3 (every request's SigV4 checked by the
stack with botocore's S3 rules), written by `maws-roles build` over the version it read, and served
by three `maws-roles serve` replicas that poll with conditional GETs and share the rebuild limit."""

import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

from maws_stack.idp import mint_id_token
from maws_stack.server import free_port
from maws_stack.stack import ACCOUNT_ID, CLIENT_ID

PREFIX = "ad|Example-LDAP|"


def token(stack, groups, sub="alice"):
    return mint_id_token(stack.idp_app, stack.issuer, CLIENT_ID, {"sub": sub, "amr": groups}, lifetime=3600)


class Forwarder:
    """A TCP relay to the stack's AWS endpoint that can be cut: S3 becoming unreachable."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.open = False


class Organisation:
    """A bucket of its own, the config every process shares, and the processes started on it."""

    def __init__(self, stack, directory, poll_interval=1):
        self.stack = stack
        self.directory = directory
        self.bucket = f"maws-maps-{uuid.uuid4().hex[:12]}"
        stack.client("s3").create_bucket(Bucket=self.bucket)
        self.s3 = stack.client("s3")
        self.poll_interval = poll_interval
        self.processes = []

    def url(self, key):
        return f"s3://{self.bucket}/{key}"

    def config(self, port=None, s3_endpoint=None):
        provider = self.stack.issuer.split("://", 1)[1]
        path = self.directory / f"roles-{port or 'build'}.ini"
        ca_line = f"ca_bundle = {self.stack.ca_file}\n" if self.stack.ca_file else ""
        path.write_text(f"""[api]
well_known_url = {self.stack.well_known_url}
client_id = {CLIENT_ID}
group_role_map = {self.url("maps/group-role-map.json")}
account_aliases = {self.url("maps/account-aliases.json")}
poll_interval = {self.poll_interval}
rebuild_subject_prefix = {PREFIX}
listen = 127.0.0.1:{port or free_port()}
{ca_line}
[builder]
provider = {provider}
client_id = {CLIENT_ID}
group_role_map = {self.url("maps/group-role-map.json")}
account_aliases = {self.url("maps/account-aliases.json")}
report = {self.url("maps/report.json")}
{ca_line}
[account {ACCOUNT_ID}]
role_arn = arn:aws:iam::{ACCOUNT_ID}:role/maws-role-reader
""")
        return path

    def env(self, s3_endpoint=None, keys=None):
        keys = keys or self.stack.builder_keys
        env = {"PATH": os.environ["PATH"], "HOME": str(self.directory), "AWS_ENDPOINT_URL": self.stack.aws.url,
               "AWS_ACCESS_KEY_ID": keys[0], "AWS_SECRET_ACCESS_KEY": keys[1], "AWS_REGION": "us-east-1"}
        if self.stack.ca_file:
            env["AWS_CA_BUNDLE"] = self.stack.ca_file
        if s3_endpoint:
            env["AWS_ENDPOINT_URL_S3"] = s3_endpoint
        return env

    def build(self, keys=None):
        return subprocess.run([self.stack.roles_bin, "build", "-c", str(self.config())], env=self.env(keys=keys),
                              capture_output=True, text=True, timeout=60)

    def put(self, key, document):
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(document).encode())

    def get(self, key):
        answer = self.s3.get_object(Bucket=self.bucket, Key=key)
        return json.loads(answer["Body"].read()), answer["ETag"]

    def serve(self, s3_endpoint=None):
        port = free_port()
        log = self.directory / f"serve-{port}.log"
        process = subprocess.Popen([self.stack.roles_bin, "serve", "-c", str(self.config(port))],
                                   env=self.env(s3_endpoint), stdout=subprocess.DEVNULL, stderr=open(log, "w"))
        self.processes.append(process)
        replica = Replica(port, log)
        replica.wait_until_serving(process)
        return replica

    def stop(self):
        for process in self.processes:
            process.terminate()
            process.wait(timeout=10)


class Replica:
    def __init__(self, port, log):
        self.port = port
        self.log = log

    def request(self, method, path, document=None):
        data = json.dumps(document).encode() if document is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.load(response), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error), dict(error.headers)

    def health(self):
        return self.request("GET", "/healthz")[1]

    def roles(self, stack, groups):
        return self.request("POST", "/roles", {"token": token(stack, groups), "cache": True})

    def wait_until_serving(self, process, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError):
                pass
            if process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("maws-roles serve did not start: " + self.log.read_text())

    def wait_for(self, check, timeout):
        deadline = time.time() + timeout
        while True:
            health = self.health()
            if check(health) or time.time() > deadline:
                return health
            time.sleep(0.1)


@pytest.fixture
def organisation(stack, tmp_path):
    organisation = Organisation(stack, tmp_path)
    yield organisation
    organisation.stop()


STALE = {"old-group": [f"arn:aws:iam::{ACCOUNT_ID}:role/ReadOnly"]}


def test_the_builder_writes_the_maps_to_s3_only_when_they_change(stack, organisation):
    result = organisation.build()
    assert result.returncode == 0, result.stderr
    assert f"wrote s3://{organisation.bucket}/maps/group-role-map.json" in result.stderr
    built, etag = organisation.get("maps/group-role-map.json")
    files = json.loads((stack.roles_dir / "group-role-map.json").read_text())
    assert built == files  # the same scan as the stack's own file-based builder
    assert organisation.get("maps/report.json")[0]["failed_accounts"] == []
    again = organisation.build()
    assert again.returncode == 0 and "nothing changed" in again.stderr, again.stderr
    assert organisation.get("maps/group-role-map.json")[1] == etag


def test_s3_errors_are_one_line_naming_the_object_and_nothing_is_lost(organisation):
    assert organisation.build().returncode == 0
    built = organisation.get("maps/group-role-map.json")
    # Keys AWS does not know: no account can be entered, and the maps stay as they were.
    result = organisation.build(keys=("AKIAWRONGWRONGWRONG1", "not-the-secret"))
    assert result.returncode == 1
    assert "none of the 1 accounts could be entered" in result.stderr.strip().splitlines()[-1], result.stderr
    assert "not-the-secret" not in result.stderr
    assert organisation.get("maps/group-role-map.json") == built
    # A bucket that does not exist.
    organisation.bucket = "maws-no-such-bucket"
    result = organisation.build()
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("maws-roles: error: S3 GET s3://maws-no-such-bucket/maps/"), result.stderr
    assert "NoSuchBucket" in lines[0]


def test_three_replicas_serve_a_rebuild_made_through_one_and_share_its_limit(stack, organisation):
    organisation.put("maps/group-role-map.json", STALE)
    organisation.put("maps/account-aliases.json", {})
    replicas = [organisation.serve() for _ in range(3)]
    for replica in replicas:
        assert replica.roles(stack, ["everyone"])[1]["roles"] == []
        assert replica.health()["map_version"] == 1

    status, body, _ = replicas[0].request("POST", "/rebuild-group-role-map", {"token": token(stack, ["x"], sub=PREFIX + "alice")})
    assert status == 200, body
    rebuilt_at = time.monotonic()
    _, etag = organisation.get("maps/group-role-map.json")
    for replica in replicas:
        health = replica.wait_for(lambda health: health["etags"][0] == etag, timeout=organisation.poll_interval + 5)
        assert health["etags"][0] == etag and health["map_version"] == 2, health
        assert replica.roles(stack, ["everyone"])[1]["roles"] == [f"arn:aws:iam::{ACCOUNT_ID}:role/ReadOnly"]
    assert time.monotonic() - rebuilt_at < organisation.poll_interval + 5

    # The 5-minute limit is the marker object's, not a replica's memory.
    for replica in replicas:
        status, body, headers = replica.request("POST", "/rebuild-group-role-map", {"token": token(stack, ["x"], sub=PREFIX + "bob")})
        assert status == 429 and int(headers["Retry-After"]) > 250, body
    marker, _ = organisation.get("maps/group-role-map.json.rebuilt-at")
    assert "rebuilt_at" in marker


def test_a_replica_keeps_the_last_good_map_when_s3_is_unreachable_or_sends_garbage(stack, organisation):
    organisation.put("maps/group-role-map.json", STALE)
    organisation.put("maps/account-aliases.json", {ACCOUNT_ID: ["maws-demo"]})
    relay = Forwarder(stack.aws.port)
    scheme = "https" if stack.ca_file else "http"
    replica = organisation.serve(s3_endpoint=f"{scheme}://127.0.0.1:{relay.port}")
    assert replica.roles(stack, ["old-group"])[1]["roles"] == [f"arn:aws:iam::{ACCOUNT_ID}:role/ReadOnly"]

    organisation.put("maps/group-role-map.json", ["not", "a", "map"])
    health = replica.wait_for(lambda health: "last_error" in health, timeout=10)
    assert health["status"] == "stale" and "group-role-map.json" in health["last_error"], health
    assert replica.roles(stack, ["old-group"])[1]["roles"] == [f"arn:aws:iam::{ACCOUNT_ID}:role/ReadOnly"]

    relay.cut()
    organisation.put("maps/group-role-map.json", {"new-group": [f"arn:aws:iam::{ACCOUNT_ID}:role/Admin"]})
    time.sleep(2.5)
    health = replica.health()
    assert health["status"] == "stale" and health["map_version"] == 1, health
    assert "cannot connect" in health["last_error"] or "127.0.0.1" in health["last_error"], health
    status, body, _ = replica.roles(stack, ["old-group"])
    assert status == 200 and body["roles"] == [f"arn:aws:iam::{ACCOUNT_ID}:role/ReadOnly"]
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{replica.port}/metrics", timeout=5).read().decode()
    assert 'maws_roles_map_checks_total{result="failed"}' in metrics
