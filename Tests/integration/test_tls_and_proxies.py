"""HTTPS as users meet it: the stack serves every endpoint over TLS with a CA made for the run,
which maws trusts through `ca_bundle` (the stack's config) or AWS_CA_BUNDLE. A certificate that
does not verify stops maws before it sends anything, with one line naming the host and the reason.
Proxies: HTTPS_PROXY and friends, through a real tinyproxy that tunnels with CONNECT."""

import datetime
import re
import shutil
import subprocess
import time

import pytest
import trustme

from maws_stack.recorder import RequestLog
from maws_stack.server import BackgroundServer, free_port

pytestmark = pytest.mark.skipif(shutil.which("tinyproxy") is None, reason="tinyproxy is not installed (make deps)")


def sign_in(maws, stack, **env):
    return maws.run("-o", "boto", "-r", stack.role_arn("Admin"), env=env or None)


def one_error_line(result):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_the_run_ca_through_ca_bundle_or_aws_ca_bundle(maws, stack, tmp_path):
    assert stack.issuer.startswith("https://")
    assert sign_in(maws, stack).returncode == 0  # ca_bundle in the config
    maws.write_config(ca_bundle=None)
    assert sign_in(maws, stack, AWS_CA_BUNDLE=stack.ca_file).returncode == 0


def test_aws_ca_bundle_comes_before_ca_bundle(maws, stack, tmp_path):
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    result = sign_in(maws, stack, AWS_CA_BUNDLE=str(other))  # the config's ca_bundle is the right one
    assert result.returncode == 1
    assert f"trusting only the CA certificates in {other} (from AWS_CA_BUNDLE)" in one_error_line(result)
    maws.write_config(ca_bundle=str(other))
    assert sign_in(maws, stack, AWS_CA_BUNDLE=stack.ca_file).returncode == 0


def test_an_unknown_ca_fails_naming_the_host_and_sends_nothing(maws, stack):
    maws.write_config(ca_bundle=None)
    before = stack.idp_log.count()
    result = sign_in(maws, stack)
    assert result.returncode == 1
    line = one_error_line(result)
    assert line.startswith("maws: error: TLS with 127.0.0.1 failed (SSL certificate problem: unable to get local issuer certificate)")
    assert "AWS_CA_BUNDLE" in line
    assert stack.idp_log.count() == before


@pytest.fixture
def odd_idp(stack):
    """An HTTPS server whose certificates the test picks, which records every request."""
    servers = []

    def serve(certificate):
        log = RequestLog(lambda environ, start_response: (start_response("200 OK", [("Content-Type", "application/json")]), [b"{}"])[1])
        server = BackgroundServer(log, "odd-idp", stack.server_context(certificate)).start()
        servers.append(server)
        return server, log

    yield serve
    for server in servers:
        server.stop()


@pytest.mark.parametrize("kind", ["wrong host name", "expired"])
def test_a_certificate_that_does_not_verify_stops_maws_before_it_sends(maws, stack, odd_idp, kind):
    if kind == "wrong host name":
        certificate = stack.ca.issue_cert("idp.example.com")
        reason = "SSL: no alternative certificate subject name matches target host name '127.0.0.1'"
    else:
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=2)
        certificate = stack.ca.issue_cert("127.0.0.1", not_before=past - datetime.timedelta(days=1), not_after=past)
        reason = "SSL certificate problem: certificate has expired"
    server, log = odd_idp(certificate)
    maws.write_config(well_known_url=f"{server.url}/.well-known/openid-configuration")
    result = sign_in(maws, stack)
    assert result.returncode == 1
    assert one_error_line(result).startswith(f"maws: error: TLS with 127.0.0.1 failed ({reason})")
    assert log.count() == 0


@pytest.fixture
def proxy(tmp_path):
    """tinyproxy on a free loopback port; `log()` is what it logged (one CONNECT line per tunnel)."""
    port = free_port()
    config = tmp_path / "tinyproxy.conf"
    config.write_text(f"Port {port}\nListen 127.0.0.1\nTimeout 30\nLogLevel Connect\nMaxClients 50\nAllow 127.0.0.1\n")
    log = tmp_path / "tinyproxy.log"
    process = subprocess.Popen(["tinyproxy", "-d", "-c", str(config)], stdout=open(log, "w"), stderr=subprocess.STDOUT)
    deadline = time.time() + 10
    while "Reloading config file finished" not in log.read_text():
        assert time.time() < deadline and process.poll() is None, log.read_text()
        time.sleep(0.05)
    yield type("Proxy", (), {"url": f"http://127.0.0.1:{port}", "log": staticmethod(log.read_text)})()
    process.terminate()
    process.wait(timeout=10)


def tunnels(text):
    return set(re.findall(r"Request \(file descriptor \d+\): CONNECT (\S+) HTTP", text))


def port_of(url):
    return url.rsplit(":", 1)[1].split("/")[0]


def test_https_goes_through_the_proxy_with_connect(maws, stack, proxy):
    result = sign_in(maws, stack, HTTPS_PROXY=proxy.url)
    assert result.returncode == 0, result.stderr
    tunnelled = tunnels(proxy.log())
    for url in (stack.issuer, stack.roles_api.url, stack.aws.url):
        assert f"127.0.0.1:{port_of(url)}" in tunnelled, (url, tunnelled)


def test_no_proxy_and_lowercase_names(maws, stack, proxy):
    result = sign_in(maws, stack, https_proxy=proxy.url, NO_PROXY="localhost,127.0.0.1")
    assert result.returncode == 0, result.stderr
    assert tunnels(proxy.log()) == set()


def test_an_unreachable_proxy_is_named_without_its_password(maws, stack):
    port = free_port()
    result = sign_in(maws, stack, HTTPS_PROXY=f"http://proxyuser:s3cret-pass@127.0.0.1:{port}")
    assert result.returncode == 1
    line = one_error_line(result)
    assert line.startswith(f"maws: error: cannot connect through the proxy http://127.0.0.1:{port} (from HTTPS_PROXY): ")
    assert "s3cret" not in result.stderr + result.stdout


def test_a_ca_bundle_maws_cannot_read_is_a_config_error(maws, stack, tmp_path):
    maws.write_config(ca_bundle=str(tmp_path / "missing.pem"))
    result = sign_in(maws, stack)
    assert result.returncode == 2
    assert "ca_bundle: cannot read" in one_error_line(result)
    maws.write_config(ca_bundle="relative.pem")
    assert "must be the absolute path" in one_error_line(sign_in(maws, stack))
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    maws.write_config(ca_bundle=str(empty))
    result = maws.run("-o", "boto", "-r", stack.role_arn("Admin"), "--no-cache")
    assert result.returncode == 1
    assert str(empty) in one_error_line(result)


def test_the_stack_can_still_serve_plain_http():
    """In a process of its own: moto's state is per process, and this one's stack has seeded it."""
    import sys

    probe = ("from maws_stack import Stack\n"
             "with Stack(tls=False) as plain:\n"
             "    assert plain.issuer.startswith('http://') and plain.ca_file is None\n"
             "    assert 'ca_bundle' not in plain.config_text()\n"
             "    print('plain', plain.roles_api.url)\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("plain http://127.0.0.1:")
