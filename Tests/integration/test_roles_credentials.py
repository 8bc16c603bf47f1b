"""Where the organisation side finds its AWS credentials: the chain the AWS SDKs follow. The builder
runs with keys from a container credentials endpoint (as on ECS or EKS Pod Identity), with web
identity (as on EKS or GitHub Actions), from the EC2 instance metadata service (IMDSv2), or with
none at all."""

import json
import os
import socket
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from maws_stack.idp import mint_id_token
from maws_stack.stack import ACCOUNT_ID, CLIENT_ID


def config(stack, directory):
    provider = stack.issuer.split("://", 1)[1]
    ca_line = f"ca_bundle = {stack.ca_file}\n" if stack.ca_file else ""
    path = directory / "roles.ini"
    path.write_text(f"""[builder]
provider = {provider}
client_id = {CLIENT_ID}
group_role_map = {directory}/group-role-map.json
account_aliases = {directory}/account-aliases.json
{ca_line}
[account {ACCOUNT_ID}]
role_arn = arn:aws:iam::{ACCOUNT_ID}:role/maws-role-reader
""")
    return path


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(stack, directory, **env):
    # Where no instance metadata service answers: a closed loopback port, not the real address.
    base = {"PATH": os.environ["PATH"], "HOME": str(directory), "AWS_ENDPOINT_URL": stack.aws.url,
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{closed_port()}"}
    return subprocess.run([stack.roles_bin, "build", "-v", "-c", str(config(stack, directory))], env=base | env,
                          capture_output=True, text=True, timeout=60)


class ContainerEndpoint:
    """The container credentials endpoint: the builder's keys, for the right Authorization only."""

    def __init__(self, keys, authorization):
        expiration = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        document = json.dumps({"AccessKeyId": keys[0], "SecretAccessKey": keys[1], "Token": "",
                               "Expiration": expiration}).encode()
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append((self.path, self.headers.get("Authorization")))
                ok = self.headers.get("Authorization") == authorization
                self.send_response(200 if ok else 403)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(document if ok else b'{"message": "no"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v2/credentials/task"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


@pytest.fixture
def endpoint(stack):
    server = ContainerEndpoint(stack.builder_keys, "Bearer pod-identity-token")
    yield server
    server.stop()


def test_keys_from_the_container_endpoint_with_its_authorization_file(stack, endpoint, tmp_path):
    token_file = tmp_path / "eks-pod-identity-token"
    token_file.write_text("Bearer pod-identity-token\n")
    result = build(stack, tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint.url,
                   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token_file))
    assert result.returncode == 0, result.stderr
    assert "AWS credentials from the container endpoint" in result.stderr
    assert endpoint.seen == [("/v2/credentials/task", "Bearer pod-identity-token")]
    assert json.loads((tmp_path / "group-role-map.json").read_text())
    # A wrong token: the endpoint's refusal, named, and nothing written.
    token_file.write_text("Bearer wrong\n")
    (tmp_path / "group-role-map.json").unlink()
    result = build(stack, tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint.url,
                   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token_file))
    assert result.returncode == 1
    assert f"the container credentials endpoint {endpoint.url} answered HTTP 403" in result.stderr
    assert "wrong" not in result.stderr
    assert not (tmp_path / "group-role-map.json").exists()


def test_a_container_endpoint_over_plain_http_elsewhere_than_loopback_is_refused(stack, tmp_path):
    result = build(stack, tmp_path, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://169.254.169.254/latest/meta-data/")
    assert result.returncode == 1
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI cannot be used" in result.stderr and "plain http" in result.stderr


def test_web_identity_from_a_token_file(stack, tmp_path):
    token_file = tmp_path / "web-identity-token"
    token_file.write_text(mint_id_token(stack.idp_app, stack.issuer, CLIENT_ID, {"sub": "ci", "amr": ["everyone"]}))
    result = build(stack, tmp_path, AWS_WEB_IDENTITY_TOKEN_FILE=str(token_file), AWS_ROLE_ARN=stack.role_arn("ReadOnly"),
                   AWS_ROLE_SESSION_NAME="maws-roles-ci")
    assert result.returncode == 0, result.stderr
    assert f"AWS credentials from web identity ({stack.role_arn('ReadOnly')})" in result.stderr
    assert token_file.read_text().split(".")[1] not in result.stderr


def test_no_credentials_anywhere_is_one_line_saying_where_they_may_come_from(stack, tmp_path):
    result = build(stack, tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("maws-roles: error: no AWS credentials:"), result.stderr
    assert "AWS_WEB_IDENTITY_TOKEN_FILE" in lines[0] and "container credentials endpoint" in lines[0]


class InstanceMetadata:
    """IMDSv2: a session token by PUT, then the role and its credentials with that token only."""

    def __init__(self, keys):
        expiration = (datetime.now(timezone.utc) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
        credentials = json.dumps({"Code": "Success", "AccessKeyId": keys[0], "SecretAccessKey": keys[1], "Token": "",
                                  "Expiration": expiration}).encode()
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def answer(self, status, body=b""):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self):
                seen.append(("PUT", self.path))
                ok = self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
                self.answer(200, b"imds-session-token") if ok else self.answer(400)

            def do_GET(self):
                seen.append(("GET", self.path))
                if self.headers.get("X-aws-ec2-metadata-token") != "imds-session-token":
                    return self.answer(401)  # IMDSv1 (no token) is refused, as with HttpTokens=required
                if self.path == "/latest/meta-data/iam/security-credentials/":
                    return self.answer(200, b"maws-roles-builder")
                if self.path == "/latest/meta-data/iam/security-credentials/maws-roles-builder":
                    return self.answer(200, credentials)
                self.answer(404)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_keys_from_the_instance_metadata_service_with_a_session_token(stack, tmp_path):
    metadata = InstanceMetadata(stack.builder_keys)
    try:
        result = build(stack, tmp_path, AWS_EC2_METADATA_SERVICE_ENDPOINT=metadata.url)
        assert result.returncode == 0, result.stderr
        assert "AWS credentials from the instance metadata service" in result.stderr
        assert metadata.seen == [("PUT", "/latest/api/token"), ("GET", "/latest/meta-data/iam/security-credentials/"),
                                 ("GET", "/latest/meta-data/iam/security-credentials/maws-roles-builder")]
        # AWS_EC2_METADATA_DISABLED turns it off.
        result = build(stack, tmp_path, AWS_EC2_METADATA_SERVICE_ENDPOINT=metadata.url, AWS_EC2_METADATA_DISABLED="true")
        assert result.returncode == 1 and "no AWS credentials" in result.stderr
    finally:
        metadata.server.shutdown()
