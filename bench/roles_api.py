"""Load benchmark of the roles API (`maws-roles serve`): POST /roles under wrk.

Sets up what an organisation's server would face, on this machine alone:
- a minimal OIDC issuer on a free loopback port (discovery document and an RSA-2048 JWKS with a
  kid and Cache-Control max-age=600, as IdPs publish them);
- a group-role map of --groups groups over --accounts accounts, a few of them `*` patterns (such
  as `team-1*`), and an account-alias map;
- --tokens valid RS256 ID tokens, each with 5 to 20 groups of the map in `amr` (a pattern's
  groups by a name it matches);
then starts `maws-roles serve` ($MAWS_ROLES_BIN, else .build/release/maws-roles), sends each token
once (the warm-up; with --check, every answer must grant exactly the roles the map gives its groups,
computed here, so that the figures never measure a server that answers wrong), and runs
`wrk -t THREADS -c CONNECTIONS -d DURATION --latency` with a Lua script that POSTs
{"token": ..., "cache": true} rotating through the tokens. It prints requests/s, p50, p90, p99
and max latency, and errors (socket errors, and answers other than 2xx), or with --json one
JSON object. --smoke is a short run (2 s, 16 connections, 50 tokens) with --check that exits
non-zero on any error, any answer other than 200, or no answer at all.

bench/roles-api (the wrapper) installs wrk and builds the release binary first.
"""

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from joserfc import jwt
from joserfc.jwk import RSAKey

from maws_stack.server import BackgroundServer, free_port

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID = "bench-client"
KID = "bench-key-1"


class Issuer:
    """The OIDC issuer maws-roles verifies tokens against: discovery and JWKS, nothing more."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
        self.server = BackgroundServer(self, "issuer")
        self.url = self.server.url

    def __call__(self, environ, start_response):
        documents = {
            "/.well-known/openid-configuration": {
                "issuer": self.url, "jwks_uri": f"{self.url}/jwks", "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"]},
            "/jwks": {"keys": [self.key.as_dict(private=False)]},
        }
        document = documents.get(environ.get("PATH_INFO"))
        if document is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        payload = json.dumps(document).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload))),
                                  ("Cache-Control", "max-age=600")])
        return [payload]

    def token(self, sub, groups):
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "sub": sub, "iat": now, "exp": now + 3600, "amr": groups}
        return jwt.encode({"alg": "RS256", "kid": KID}, claims, self.key)


def make_maps(groups, accounts, rng):
    """The group-role map ({"group": [role ARNs]}, one group in 40 a `*` pattern) and the aliases."""
    ids = [f"{210000000000 + 7919 * n:012d}" for n in range(accounts)]
    patterns = {"team-1*"} | {f"proj-{n}-*" for n in range(max(1, groups // 40) - 1)}
    names = sorted(patterns) + [f"team-{n}" for n in range(groups - len(patterns))]
    role_map = {name: sorted({f"arn:aws:iam::{rng.choice(ids)}:role/Role{rng.randrange(20)}" for _ in range(rng.randint(1, 3))})
                for name in names}
    return role_map, {account: [f"bench-{n}"] for n, account in enumerate(ids)}


def token_groups(names, rng):
    """5 to 20 of the map's groups `names`; for a pattern, a name it matches."""
    return [name.replace("*", f"x{rng.randrange(100)}") for name in rng.sample(names, rng.randint(5, 20))]


class Grants:
    """The roles the map grants to a list of groups, as the server matches them: names
    case-insensitively, `*` standing for any run of characters."""

    def __init__(self, role_map):
        self.exact = {name.lower(): roles for name, roles in role_map.items() if "*" not in name}
        self.patterns = [(re.compile(".*".join(map(re.escape, name.lower().split("*"))), re.DOTALL), roles)
                         for name, roles in role_map.items() if "*" in name]

    def __call__(self, groups):
        roles = set()
        for group in (g.lower() for g in groups):
            roles.update(self.exact.get(group, ()))
            roles.update(r for pattern, granted in self.patterns if pattern.fullmatch(group) for r in granted)
        return sorted(roles)


LUA = """-- POST /roles with the benchmark's tokens, in turn; done() prints one line: WRK_RESULT {json}.
local bodies = {
%(bodies)s
}
local threads = {}

function setup(thread)
  thread:set("first", #threads * 7)
  table.insert(threads, thread)
end

function init(args)
  counter = first
  non_2xx, non_200 = 0, 0
  headers = {["Content-Type"] = "application/json"}
end

function request()
  counter = counter + 1
  return wrk.format("POST", nil, headers, bodies[counter %% #bodies + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then non_2xx = non_2xx + 1 end
  if status ~= 200 then non_200 = non_200 + 1 end
end

function done(summary, latency, requests)
  local non_2xx_total, non_200_total = 0, 0
  for _, thread in ipairs(threads) do
    non_2xx_total = non_2xx_total + thread:get("non_2xx")
    non_200_total = non_200_total + thread:get("non_200")
  end
  local e = summary.errors
  io.write(string.format('WRK_RESULT {"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "non_200": %%d, ' ..
    '"socket_errors": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, non_2xx_total, non_200_total, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def write_lua(path, tokens):
    bodies = ",\n".join(f"[[{json.dumps({'token': token, 'cache': True})}]]" for token in tokens)
    path.write_text(LUA % {"bodies": bodies})


def post_roles(port, token):
    """The status and JSON answer of one POST /roles."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/roles", data=json.dumps({"token": token, "cache": True}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


class Server:
    """`maws-roles serve -c CONFIG`, stderr (its access log) to a file; up once /healthz answers 200."""

    def __init__(self, binary, config, log):
        self.log = log
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(config.parent)}
        self.process = subprocess.Popen([binary, "serve", "-c", str(config)], env=env, stdout=subprocess.DEVNULL,
                                        stderr=open(log, "w"))

    def wait_healthy(self, port, timeout=60):
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"maws-roles serve did not start:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.1)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def run_wrk(options, script, port):
    command = ["wrk", f"-t{options.threads}", f"-c{options.connections}", f"-d{options.duration}s", "--latency",
               "-s", str(script), f"http://127.0.0.1:{port}/roles"]
    wrk = subprocess.run(command, capture_output=True, text=True, timeout=options.duration + 60)
    line = next((line for line in wrk.stdout.splitlines() if line.startswith("WRK_RESULT ")), None)
    if wrk.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({wrk.returncode}):\n{wrk.stdout}\n{wrk.stderr}")
    return json.loads(line.split(" ", 1)[1])


def benchmark(options, work):
    rng = random.Random(options.seed)
    role_map, aliases = make_maps(options.groups, options.accounts, rng)
    (work / "group-role-map.json").write_text(json.dumps(role_map))
    (work / "account-aliases.json").write_text(json.dumps(aliases))
    issuer = Issuer()
    issuer.server.start()
    server = None
    try:
        port = free_port()
        config = work / "roles.ini"
        config.write_text(f"""[api]
well_known_url = {issuer.url}/.well-known/openid-configuration
client_id = {CLIENT_ID}
groups_claim = amr
group_role_map = {work}/group-role-map.json
account_aliases = {work}/account-aliases.json
listen = 127.0.0.1:{port}
""")
        names = sorted(role_map)
        people = [token_groups(names, rng) for _ in range(options.tokens)]
        tokens = [issuer.token(f"person-{n}", groups) for n, groups in enumerate(people)]
        script = work / "roles.lua"
        write_lua(script, tokens)
        server = Server(options.binary, config, work / "maws-roles.log")
        server.wait_healthy(port)

        # The warm-up: each token once (the server then has the JWKS and has seen every token).
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda token: post_roles(port, token), tokens))
        refused = [(n, status, body) for n, (status, body) in enumerate(answers) if status != 200]
        if refused:
            n, status, body = refused[0]
            raise RuntimeError(f"{len(refused)} of {len(tokens)} warm-up requests not answered 200, e.g. {status}: {body}")
        if options.check:
            grants = Grants(role_map)
            for n, (_, body) in enumerate(answers):
                if sorted(body.get("roles", [])) != grants(people[n]):
                    raise RuntimeError(f"wrong roles for groups {people[n]}:\n  answered {sorted(body.get('roles', []))}\n"
                                       f"  expected {grants(people[n])}")

        result = run_wrk(options, script, port)
    finally:
        if server:
            server.stop()
        issuer.server.stop()
    errors = result["socket_errors"] + result["non_2xx"]
    return {
        "binary": options.binary, "tokens": options.tokens, "groups": options.groups, "accounts": options.accounts,
        "threads": options.threads, "connections": options.connections, "duration_s": result["duration_us"] / 1e6,
        "requests": result["requests"], "requests_per_s": round(result["requests"] / (result["duration_us"] / 1e6), 1),
        "latency_ms": {name: round(result[f"{name}_us"] / 1000, 2) for name in ("p50", "p90", "p99", "max")},
        "errors": errors, "socket_errors": result["socket_errors"], "non_2xx": result["non_2xx"], "non_200": result["non_200"],
        "checked": options.check,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load (default 10)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--tokens", type=int, default=1000, help="distinct ID tokens (default 1000)")
    parser.add_argument("--groups", type=int, default=2000, help="groups in the map (default 2000)")
    parser.add_argument("--accounts", type=int, default=200, help="accounts in the map (default 200)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the map and the tokens' groups")
    parser.add_argument("--check", action="store_true", help="check every warm-up answer's roles against the map")
    parser.add_argument("--smoke", action="store_true",
                        help="2 s, 16 connections, 50 tokens, --check; exit 1 on any error or answer other than 200")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    options = parser.parse_args()
    if options.smoke:
        options.duration, options.connections, options.tokens, options.check = 2, 16, 50, True
    options.threads = min(options.threads, options.connections)
    options.binary = os.environ.get("MAWS_ROLES_BIN") or str(ROOT / ".build" / "release" / "maws-roles")
    if not os.access(options.binary, os.X_OK):
        sys.exit(f"roles_api.py: no maws-roles at {options.binary} (make build-roles, or set MAWS_ROLES_BIN)")
    # SIGTERM ends the run as Ctrl-C does: through the cleanup that stops the server and the issuer.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="maws-roles-bench-") as directory:
        try:
            figures = benchmark(options, Path(directory))
        except RuntimeError as error:
            sys.exit(f"roles_api.py: {error}")
        except KeyboardInterrupt:
            sys.exit(130)  # the server and the issuer are stopped by now
    if options.json:
        print(json.dumps(figures))
    else:
        latency = figures["latency_ms"]
        print(f"requests/s   {figures['requests_per_s']:.0f}  ({figures['requests']} in {figures['duration_s']:.1f} s)")
        for name in ("p50", "p90", "p99", "max"):
            print(f"{name:<12} {latency[name]:.2f} ms")
        print(f"errors       {figures['errors']}  (socket {figures['socket_errors']}, non-2xx {figures['non_2xx']})")
        print(f"maws-roles POST /roles: {figures['requests_per_s']:.0f} req/s, p50 {latency['p50']:.2f} ms, "
              f"p99 {latency['p99']:.2f} ms, {figures['errors']} errors ({options.connections} connections, "
              f"{options.threads} threads, {options.tokens} tokens, {options.duration} s{', checked' if options.check else ''})")
    if options.smoke and (figures["errors"] or figures["non_200"] or not figures["requests"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
