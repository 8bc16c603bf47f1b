"""The ID-token-for-roles API server (maws-roles serve) with real tokens from the stack's IdP."""

import json
import os
import resource
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from authlib.oidc.core.grants.util import generate_id_token
from joserfc.jwk import RSAKey

from maws_stack.idp import mint_id_token
from maws_stack.server import free_port
from maws_stack.stack import CLIENT_ID
from maws_stack.troubled_idp import DISCOVERY_PATH, JWKS_PATH, TroubledIdP


class Server:
    """`maws-roles serve` on a free port, against the stack's IdP or the one at `well_known_url`,
    with more `[api]` keys from `settings`."""

    def __init__(self, stack, directory, rebuild_prefix="ad|Example-LDAP|", well_known_url=None, settings=None):
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
        extra = "".join(f"{key} = {value}\n" for key, value in (settings or {}).items())
        self.config.write_text(f"""[api]
well_known_url = {well_known_url or stack.well_known_url}
client_id = {CLIENT_ID}
group_role_map = {self.map}
account_aliases = {self.aliases}
rebuild_subject_prefix = {rebuild_prefix}
listen = 127.0.0.1:{self.port}
{extra}
[builder]
provider = {provider}
client_id = {CLIENT_ID}
group_role_map = {self.map}
account_aliases = {self.aliases}

[account 123456789012]
role_arn = arn:aws:iam::123456789012:role/maws-role-reader
""")
        self.log = directory / "access.log"
        env = {"PATH": os.environ["PATH"], "HOME": str(directory), "AWS_ENDPOINT_URL": stack.aws.url, "AWS_CA_BUNDLE": stack.ca_file,
               "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
        self.process = subprocess.Popen([stack.roles_bin, "serve", "-c", str(self.config)], env=env,
                                        stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                self.get("/healthz")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise RuntimeError("maws-roles serve did not start: " + self.log.read_text())

    def request(self, method, path, document=None, timeout=30):
        data = json.dumps(document).encode() if document is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.load(response), dict(response.headers)
        except urllib.error.HTTPError as error:
            text = error.read()
            return error.code, json.loads(text) if text.startswith(b"{") else {}, dict(error.headers)

    def get(self, path):
        return self.request("GET", path)

    def roles(self, token, key=None, timeout=30, cache=True):
        return self.request("POST", "/roles", {"token": token, "key": key or {}, "cache": cache}, timeout=timeout)

    def threads(self):
        """The server process's current number of threads."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
        raise RuntimeError("no Threads: line")

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
    assert metric(server, 'maws_roles_requests_total{endpoint="/roles",status="200"}') == 2
    assert metric(server, 'maws_roles_request_duration_seconds_count{endpoint="/roles"}') == 2
    assert metric(server, "maws_roles_map_version") == 1


@pytest.mark.parametrize("case", ["expired", "wrong-audience", "foreign-key", "foreign-key-with-its-jwks", "garbage", "no-token"])
def test_bad_tokens_are_refused(stack, server, case):
    if case == "expired":
        status, body, _ = server.roles(token(stack, ["team-ops"], lifetime=-900))
    elif case == "wrong-audience":
        status, body, _ = server.roles(token(stack, ["team-ops"], audience="another-client"))
    elif case.startswith("foreign-key"):
        key = RSAKey.generate_key(2048, private=True)
        real_kid = json.load(urllib.request.urlopen(f"{stack.issuer}/jwks", context=stack.client_context()))["keys"][0]["kid"]
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


def test_a_body_larger_than_64_kib_is_refused_before_it_is_read_whole(stack, server):
    status, body, _ = server.roles(token(stack, ["team-ops"]), key={"padding": "x" * (100 * 1024)})
    assert status == 413 and body == {"error": "the request body is larger than 64 KiB"}
    status, _, _ = server.roles(token(stack, ["team-ops"]), key={"keys": []})
    assert status == 200


def wait_for_health(server, check, timeout=10):
    """The /healthz document once `check` holds for it (the server checks map files every second)."""
    deadline = time.time() + timeout
    while True:
        _, health, _ = server.get("/healthz")
        if check(health) or time.time() > deadline:
            return health
        time.sleep(0.1)


def test_aliases_health_and_a_map_reloaded_on_change(stack, server):
    assert server.get("/account-aliases")[1]["555555555555"] == ["other"]
    status, health, _ = server.get("/healthz")
    assert status == 200 and health["status"] == "ok" and health["groups"] == 2
    assert health["map_version"] == 1 and len(health["etags"]) == 2 and "last_error" not in health
    server.map.write_text(json.dumps({"newcomers": ["arn:aws:iam::123456789012:role/ReadOnly"]}))
    health = wait_for_health(server, lambda health: health["map_version"] == 2)
    assert health["groups"] == 1
    status, body, _ = server.roles(token(stack, ["newcomers"]))
    assert body["roles"] == ["arn:aws:iam::123456789012:role/ReadOnly"]


def test_a_map_that_does_not_parse_leaves_the_last_good_one_serving(stack, server):
    server.map.write_text('{"team-ops": "not a list"')
    health = wait_for_health(server, lambda health: "last_error" in health)
    assert health["status"] == "stale" and health["map_version"] == 1
    assert str(server.map) in health["last_error"]
    status, body, _ = server.roles(token(stack, ["team-ops"]))
    assert status == 200 and body["roles"] == ["arn:aws:iam::123456789012:role/Admin"]
    server.map.write_text(json.dumps({"team-ops": ["arn:aws:iam::123456789012:role/ReadOnly"]}))
    health = wait_for_health(server, lambda health: health["map_version"] == 2)
    assert health["status"] == "ok" and "last_error" not in health
    assert server.roles(token(stack, ["team-ops"]))[1]["roles"] == ["arn:aws:iam::123456789012:role/ReadOnly"]


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


# -- Under load and IdP trouble: a real IdP stand-in that can be slow, down, or rotate its keys. ------


@pytest.fixture
def idp():
    provider = TroubledIdP()
    yield provider
    provider.stop()


@pytest.fixture
def troubled(stack, tmp_path, idp):
    """Starts `maws-roles serve` against the troubled IdP, with optional `[api]` settings."""
    servers = []

    def start(**settings):
        server = Server(stack, tmp_path, well_known_url=idp.well_known_url, settings=settings)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.kill()


def ops_token(idp, **options):
    return idp.mint({"sub": "alice", "amr": ["team-ops"]}, CLIENT_ID, **options)


class Timed:
    """One request's status, headers and duration."""

    def __init__(self, call):
        start = time.monotonic()
        try:
            self.status, self.body, self.headers = call()
        except OSError as error:  # a timeout: the request hung
            self.status, self.body, self.headers = None, {"error": str(error)}, {}
        self.seconds = time.monotonic() - start


def burst(count, call):
    """`count` calls at once, each on its own client thread; their Timed results."""
    results = [None] * count
    start = threading.Barrier(count)

    def one(index):
        start.wait()
        results[index] = Timed(call)

    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def answers_during(seconds, call):
    """`call` again and again, 50 ms apart, for `seconds`; the Timed results."""
    start = time.monotonic()
    answers = []
    while time.monotonic() - start < seconds:
        answers.append(Timed(call))
        time.sleep(0.05)
    return answers


class ThreadPeak:
    """Samples the server's thread count every 10 ms while in a `with` block; `peak` is the highest."""

    def __init__(self, server):
        self.server = server
        self.peak = server.threads()
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample)

    def _sample(self):
        while not self._done.wait(0.01):
            self.peak = max(self.peak, self.server.threads())

    def __enter__(self):
        self._sampler.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._sampler.join()


def test_a_burst_of_first_requests_costs_the_idp_one_discovery_and_one_jwks_fetch(idp, troubled):
    server = troubled()
    idp.delay = 0.8
    token = ops_token(idp)
    results = burst(60, lambda: server.roles(token))
    assert [r.status for r in results] == [200] * 60, {r.status for r in results}
    assert (idp.count(DISCOVERY_PATH), idp.count(JWKS_PATH)) == (1, 1)


def test_a_burst_beyond_the_queue_gets_a_fast_503_with_bounded_threads_and_health_answers(idp, troubled):
    server = troubled(workers=4, queue_limit=16)
    idp.delay = 1.5
    token = ops_token(idp)
    health = []
    with ThreadPeak(server) as threads:
        prober = threading.Timer(0.5, lambda: health.append(Timed(lambda: server.get("/healthz"))))
        prober.start()
        results = burst(200, lambda: server.roles(token))
        prober.join()
    ok = [r for r in results if r.status == 200]
    busy = [r for r in results if r.status == 503]
    assert len(ok) + len(busy) == 200, {r.status for r in results}
    # 4 workers and 16 waiting are served; the rest is refused at once, before the IdP has answered.
    assert 20 <= len(ok) <= 40 and len(busy) >= 160, (len(ok), len(busy))
    assert max(r.seconds for r in busy) < 1.0
    assert all(r.headers.get("Retry-After") == "1" and "busy" in r.body["error"] for r in busy)
    assert threads.peak <= 4 + 16, threads.peak
    assert health[0].status == 200 and health[0].seconds < 0.5, vars(health[0])
    assert (idp.count(DISCOVERY_PATH), idp.count(JWKS_PATH)) == (1, 1)


def test_while_the_idp_is_down_requests_fail_fast_and_it_is_retried_with_backoff(idp, troubled):
    server = troubled()
    token = ops_token(idp)
    idp.go_down("refuse")
    first = Timed(lambda: server.roles(token, timeout=5))
    assert first.status == 503 and first.seconds < 0.5, vars(first)
    assert int(first.headers["Retry-After"]) >= 1
    # The port answers again, with 503: the attempts it sees are the server's retries.
    idp.come_back()
    idp.go_down("503")
    answers = answers_during(3.5, lambda: server.roles(token, timeout=5))
    assert all(a.status == 503 and a.seconds < 0.5 for a in answers), [(a.status, a.seconds) for a in answers]
    # Retries 1 s then 2 s after the first failure: two in these 3.5 s, whatever the number of requests.
    attempts = idp.count(DISCOVERY_PATH) + idp.count(JWKS_PATH)
    assert len(answers) > 30 and 1 <= attempts <= 3, (len(answers), attempts)
    # Back up: served again at the next retry (4 s after the last), without a restart.
    idp.come_back()
    deadline = time.monotonic() + 6
    while (status := server.roles(token, timeout=5)[0]) == 503 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status == 200


def test_keys_the_idp_withdraws_stop_being_trusted_after_their_max_age(idp, troubled):
    server = troubled()
    idp.max_age = 2
    withdrawn = idp.keys[0]
    assert server.roles(ops_token(idp, key=withdrawn))[0] == 200
    fetched = time.monotonic()
    replacement = idp.rotate()
    deadline = fetched + 6
    while (status := server.roles(ops_token(idp, key=withdrawn))[0]) == 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status == 401
    assert time.monotonic() - fetched < 2 + 1
    assert server.roles(ops_token(idp, key=replacement))[0] == 200
    # The refresh reads the JWKS again, not the discovery document.
    assert (idp.count(DISCOVERY_PATH), idp.count(JWKS_PATH)) == (1, 2)


def test_the_last_keys_keep_serving_while_the_idp_is_down_and_it_is_retried(idp, troubled):
    server = troubled()
    idp.max_age = 1
    token = ops_token(idp)
    assert server.roles(token)[0] == 200
    idp.go_down("503")
    time.sleep(1.2)  # the keys' max-age is over: the server tries to refresh them
    # "cache": false verifies the token every time, with the keys.
    answers = answers_during(2.5, lambda: server.roles(token, timeout=5, cache=False))
    assert all(a.status == 200 and a.seconds < 0.5 for a in answers), [(a.status, a.seconds) for a in answers]
    retries = idp.count(DISCOVERY_PATH) + idp.count(JWKS_PATH) - 2
    assert 1 <= retries <= 3, retries


def test_a_verified_token_is_answered_from_memory_while_the_keys_are_fresh(idp, troubled):
    server = troubled()
    idp.max_age = 2
    token = ops_token(idp, lifetime=60)
    assert server.roles(token)[0] == 200
    status, body, _ = server.roles(token)
    assert status == 200 and body["roles"] == ["arn:aws:iam::123456789012:role/Admin"]
    assert (metric(server, "maws_roles_token_cache_hits_total"), metric(server, "maws_roles_token_cache_misses_total")) == (1, 1)
    # "cache": false verifies it anew.
    assert server.roles(token, cache=False)[0] == 200
    assert metric(server, "maws_roles_token_cache_misses_total") == 2
    # Past the keys' max-age the token is verified again; with the IdP down, with the last keys it published.
    idp.go_down("refuse")
    time.sleep(2.2)
    assert server.roles(token)[0] == 200
    assert (metric(server, "maws_roles_token_cache_hits_total"), metric(server, "maws_roles_token_cache_misses_total")) == (1, 3)


def metric(server, name):
    """A sample's value from GET /metrics (the first line starting with `name`)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no {name} in /metrics:\n{text}")


def test_a_worker_thread_that_cannot_start_answers_503_not_a_hang(idp, troubled):
    server = troubled()  # /healthz answers beside the pool: no worker thread has started yet
    status = {key: value for key, value in (line.split(":", 1) for line in
              Path(f"/proc/{server.process.pid}/status").read_text().splitlines())}
    address_space = int(status["VmSize"].split()[0]) * 1024
    # Room for a request's allocations but not for a thread's stack: pthread_create fails with EAGAIN.
    resource.prlimit(server.process.pid, resource.RLIMIT_AS, (address_space + (2 << 20), resource.RLIM_INFINITY))
    try:
        refused = Timed(lambda: server.roles(ops_token(idp), timeout=5))
        health = Timed(lambda: server.get("/healthz"))
    finally:
        resource.prlimit(server.process.pid, resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    assert refused.status == 503 and refused.seconds < 1 and refused.headers.get("Retry-After") == "1", vars(refused)
    assert "worker thread" in refused.body["error"]
    assert health.status == 200
    assert server.roles(ops_token(idp))[0] == 200  # threads can start again: served
    assert "cannot start a worker thread: Resource temporarily unavailable" in server.log.read_text()


@pytest.mark.parametrize("key, value", [("workers", "0"), ("queue_limit", "lots")])
def test_a_bad_pool_setting_is_a_one_line_error_naming_the_key(stack, tmp_path, key, value):
    config = tmp_path / "roles.ini"
    config.write_text(f"[api]\nwell_known_url = {stack.well_known_url}\nclient_id = c\ngroup_role_map = m\n"
                      f"account_aliases = a\n{key} = {value}\n")
    result = subprocess.run([stack.roles_bin, "serve", "-c", str(config)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and f"{key}: '{value}' is not a number" in result.stderr, result.stderr


def test_sighup_reloads_the_config_and_a_broken_one_is_refused(stack, server, tmp_path):
    other = tmp_path / "other-map.json"
    other.write_text(json.dumps({"reloaded": ["arn:aws:iam::123456789012:role/ReadOnly"]}))
    original = server.config.read_text()
    server.config.write_text(original.replace(f"group_role_map = {server.map}\n", f"group_role_map = {other}\n", 1))
    server.process.send_signal(signal.SIGHUP)
    health = wait_for_health(server, lambda health: str(other) in health["map_sources"])
    assert str(other) in health["map_sources"], health
    assert server.roles(token(stack, ["reloaded"]))[1]["roles"] == ["arn:aws:iam::123456789012:role/ReadOnly"]
    # A config that does not load leaves the running one in place, and says why.
    server.config.write_text(original.replace("client_id = ", "client_id_typo = ", 1))
    server.process.send_signal(signal.SIGHUP)
    deadline = time.time() + 5
    while "cannot reload" not in server.log.read_text() and time.time() < deadline:
        time.sleep(0.1)
    assert "cannot reload" in server.log.read_text() and "client_id" in server.log.read_text()
    assert server.roles(token(stack, ["reloaded"]))[0] == 200
    assert server.process.poll() is None


def test_pipelined_requests_are_answered_in_order_and_garbage_gets_400(server):
    import re
    import socket
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                           b"DELETE /roles HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    assert re.findall(rb"HTTP/1.1 (\d+)", data) == [b"200", b"404", b"405"]
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        assert connection.recv(1000).startswith(b"HTTP/1.1 400 Bad Request")


def test_head_has_no_body_and_an_oversized_request_never_labels_the_metrics(server):
    import socket
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405") and b"Content-Length: " in head and body == b""
    # Refused on its declared length, before the body is read; the path is not a metrics label.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(b'POST /x"} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n' + b"a" * 1000)
        answer = connection.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413") and b"Connection: close" in answer
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/metrics", timeout=5) as response:
        metrics = response.read().decode()
    assert 'endpoint="TooLarge",status="413"' in metrics and '/x"' not in metrics


def test_connections_beyond_max_connections_are_closed_unread(stack, tmp_path):
    import socket
    server = Server(stack, tmp_path, settings={"max_connections": 2})
    try:
        # Two connections the server answered, so both hold a place (a connection closed just before,
        # such as the start-up probe, frees its place a moment later: a refused one is tried again).
        held = []
        deadline = time.time() + 5
        while len(held) < 2:
            connection = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            try:
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                answer = connection.recv(65536)
            except ConnectionResetError:
                answer = b""
            if answer.startswith(b"HTTP/1.1 200"):
                held.append(connection)
            else:
                connection.close()
                assert time.time() < deadline
                time.sleep(0.05)
        extra = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        try:
            extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert extra.recv(100) == b""  # closed without an answer
        except ConnectionResetError:
            pass  # closed with the request unread
        extra.close()
        for connection in held:
            connection.close()
        deadline = time.time() + 5
        while True:  # the held connections' slots come free once the server sees them closed
            try:
                if metric(server, "maws_roles_connections_refused_total") >= 1:
                    break
            except (ConnectionError, urllib.error.URLError):
                pass
            assert time.time() < deadline
            time.sleep(0.1)
    finally:
        server.stop()
