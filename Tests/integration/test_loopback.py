"""maws's loopback servers against a hostile local process: a squatter on [::1], a flood of idle
connections, and anyone reading a browser's argument list."""

import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import pytest

from helpers import exports_of
from maws_stack.useragent import get, redirect_location

REGISTERED_PORTS = [10800, 10801, 20800, 20801, 30800, 30801, 40800, 40801, 50800, 50801, 60800, 60801]


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


needs_ipv6 = pytest.mark.skipif(not has_ipv6_loopback(), reason="this machine has no IPv6 loopback")


def listen(family, port):
    sock = socket.socket(family)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # an earlier test's port may be in TIME_WAIT
    sock.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", port))
    sock.listen(16)
    return sock


class Squatter:
    """A local process listening on [::1]:PORT that records whatever a browser sends it."""

    def __init__(self, port):
        self.sock = listen(socket.AF_INET6, port)
        self.sock.settimeout(0.2)
        self.received = b""
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                client, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            client.settimeout(2)
            try:
                self.received += client.recv(65536)
            except OSError:
                pass
            # Never answers: the browser waits, as it would for an attacker that keeps the code.

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


def cpu_seconds(pid):
    """User plus system CPU time of a process, from /proc."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def assert_sleeps_while_waiting(process):
    """maws uses no CPU while connections sit idle: it waits in poll, it does not spin."""
    before = cpu_seconds(process.pid)
    time.sleep(1.2)
    assert cpu_seconds(process.pid) - before < 0.2, "maws spins on the CPU while the connections sit idle"


def idle_connections(port, count):
    """`count` connections that never send a byte, split between both loopback addresses."""
    sockets = []
    for index in range(count):
        family, host = (socket.AF_INET6, "::1") if index % 2 and has_ipv6_loopback() else (socket.AF_INET, "127.0.0.1")
        sock = socket.socket(family)
        sock.setblocking(False)
        sock.connect_ex((host, port))
        sockets.append(sock)
    time.sleep(0.3)  # let the handshakes complete
    return sockets


def recording_browser(home):
    """A $BROWSER that only writes down the address it was given: the test plays the person."""
    script = home / "record-browser"
    script.write_text('#!/bin/sh\nprintf \'%s\\n\' "$*" >> "$MAWS_TEST_UA_ARGV"\n')
    script.chmod(0o755)
    return script


def wait_for_line(path, process, timeout=20):
    deadline = time.time() + timeout
    while not (path.exists() and path.read_text().strip()):
        assert time.time() < deadline and process.poll() is None, process.stderr.read() if process.poll() is not None else "timed out"
        time.sleep(0.05)
    return path.read_text().strip().splitlines()[0]


ONE_TIME_URL = re.compile(r"^http://127\.0\.0\.1:(\d+)/go/[A-Za-z0-9_-]{43}$")


@needs_ipv6
def test_a_process_on_the_ipv6_loopback_cannot_take_the_redirect(maws, stack):
    maws.write_config(login_timeout=20)
    squatter = Squatter(10800)
    try:
        result = maws.run("-v", "-r", stack.role_arn("Admin"))
    finally:
        squatter.close()
    assert result.returncode == 0, result.stderr
    listening = re.search(r"listening for the sign-in redirect on 127\.0\.0\.1:(\d+) and \[::1\]:(\d+)", result.stderr)
    assert listening and listening.group(1) == listening.group(2) != "10800", result.stderr
    assert squatter.received == b"", "the browser's redirect reached the process on [::1]"


@needs_ipv6
def test_no_registered_port_free_on_both_addresses_is_a_clear_error(maws, stack):
    holders = []
    for index, port in enumerate(REGISTERED_PORTS):
        try:
            holders.append(listen(socket.AF_INET6 if index % 2 else socket.AF_INET, port))
        except OSError:
            pass  # taken already: unavailable to maws all the same
    try:
        started = time.monotonic()
        result = maws.run("-r", stack.role_arn("Admin"))
    finally:
        for holder in holders:
            holder.close()
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("maws: error: no port registered for the sign-in redirect is free on both 127.0.0.1 and [::1] (tried 10800, ")
    assert time.monotonic() - started < 10


def start_sign_in(maws, stack):
    """maws signing in with a $BROWSER that only records its address; returns the process and it."""
    maws.write_config(login_timeout=60)
    argv = maws.home / "browser-argv"
    env = maws.env(BROWSER=str(recording_browser(maws.home)), MAWS_TEST_UA_ARGV=str(argv))
    process = subprocess.Popen([maws.binary, "-c", str(maws.config), "-r", stack.role_arn("Admin")], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process, wait_for_line(argv, process)


def finish(process):
    try:
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "export AWS_ACCESS_KEY_ID='ASIA" in stdout


def test_the_sign_in_survives_a_flood_of_idle_connections(maws, stack):
    process, url = start_sign_in(maws, stack)
    try:
        one_time = ONE_TIME_URL.match(url)
        redirect_uri = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query).get("redirect_uri", [""])[0]
        port = int(one_time.group(1)) if one_time else urllib.parse.urlsplit(redirect_uri).port

        idle = idle_connections(port, 150)
        try:
            assert_sleeps_while_waiting(process)

            started = time.monotonic()
            location = redirect_location(url, "alice")  # through maws's one-time address, then the IdP
            assert time.monotonic() - started < 2
            started = time.monotonic()
            status, _, body = get(location)
            assert time.monotonic() - started < 2, "the browser's redirect waited behind the idle connections"
            assert status == 200 and b"Signed in" in body
        finally:
            for sock in idle:
                sock.close()
    finally:
        finish(process)


def test_the_container_endpoint_survives_a_flood_of_idle_connections(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    with maws.serve("-r", stack.role_arn("Admin")) as (process, printed):
        exports = exports_of(printed)
        url = exports["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        port = urllib.parse.urlparse(url).port
        if has_ipv6_loopback():
            with pytest.raises(OSError):
                listen(socket.AF_INET6, port).close()  # maws holds its port on [::1] as well
        idle = idle_connections(port, 150)
        try:
            assert_sleeps_while_waiting(process)
            started = time.monotonic()
            request = urllib.request.Request(url, headers={"Authorization": exports["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
            answer = json.load(urllib.request.urlopen(request, timeout=10))
            assert time.monotonic() - started < 2
            assert answer["AccessKeyId"].startswith("ASIA")
        finally:
            for sock in idle:
                sock.close()


def test_the_console_url_never_appears_in_an_argument_list(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    argv = maws.home / "browser-argv"
    before = len(stack.federation_app.logins)
    result = maws.run("-w", "-r", stack.role_arn("Admin"), env={"MAWS_TEST_UA_ARGV": str(argv)})
    assert result.returncode == 0, result.stderr
    url = argv.read_text().strip()
    assert ONE_TIME_URL.match(url), url
    assert "SigninToken" not in url
    deadline = time.time() + 10
    while len(stack.federation_app.logins) == before and time.time() < deadline:
        time.sleep(0.1)
    assert len(stack.federation_app.logins) == before + 1, "the one-time address led the browser to the console"


def test_the_sign_in_url_never_appears_in_an_argument_list(maws, stack):
    process, url = start_sign_in(maws, stack)
    try:
        assert ONE_TIME_URL.match(url), url
        for secret in ("state", "nonce", "code_challenge", "redirect_uri"):
            assert secret not in url
        status, headers, _ = get(url)
        assert status == 303 and headers["Location"].startswith(stack.issuer + "/")
        assert get(url)[0] == 404, "the one-time address answers only once"
        status, _, body = get(redirect_location(headers["Location"], "alice"))
        assert status == 200 and b"Signed in" in body
    finally:
        finish(process)


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="acting as another user needs root")

AS_ANOTHER_USER = """
import http.client, sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
connection.request("GET", url.path + ("?" + url.query if url.query else ""), headers=dict(h.split(": ", 1) for h in sys.argv[2:]))
print(connection.getresponse().status)
"""


def status_as_another_user(url, *headers):
    """What a process of another local user (nobody) gets for GET `url`."""
    def become_nobody():
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    result = subprocess.run(["/usr/bin/python3", "-c", AS_ANOTHER_USER, url, *headers], preexec_fn=become_nobody,
                            capture_output=True, text=True, timeout=20, cwd="/")
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


@needs_root
def test_another_user_cannot_use_the_browsers_address_or_the_redirect(maws, stack):
    process, url = start_sign_in(maws, stack)
    try:
        port = int(ONE_TIME_URL.match(url).group(1))
        # Another user reads the address off the browser's argument list and asks first.
        assert status_as_another_user(url) == 403
        assert status_as_another_user(f"http://127.0.0.1:{port}/redirect_uri?code=forged&state=guess") == 403
        status, headers, _ = get(url)
        assert status == 303, "the person's browser still gets the one-time address"
        status, _, body = get(redirect_location(headers["Location"], "alice"))
        assert status == 200 and b"Signed in" in body
    finally:
        finish(process)


@needs_root
def test_another_user_cannot_use_the_container_endpoint(maws, stack):
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    with maws.serve("-r", stack.role_arn("Admin")) as (_, printed):
        exports = exports_of(printed)
        url, token = exports["AWS_CONTAINER_CREDENTIALS_FULL_URI"], exports["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        assert status_as_another_user(url, f"Authorization: {token}") == 403
        request = urllib.request.Request(url, headers={"Authorization": token})
        assert json.load(urllib.request.urlopen(request, timeout=10))["AccessKeyId"].startswith("ASIA")
