"""A full sign-in's own CPU: user + system time of the maws process alone, from wait4, over fresh
sign-ins against the local stack (discovery, the browser round trip with PKCE, the token
exchange, JWKS, ID token checks, the roles API, STS AssumeRoleWithWebIdentity, the cache).

The browser (the scripted user agent) is started detached and never waited on by maws, and the
servers are other processes, so neither is counted. Then one more sign-in runs under callgrind,
and the instructions are broken down by where they go.

Usage: bench/signin.py --maws BINARY [--runs N]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from instructions import maws_environment
from maws_stack import Stack


# Where a sign-in's instructions go: inclusive counts of these functions (callgrind, demangled
# names, first match), in this order. "dynamic loading" is dlopen of libcurl and libcrypto and
# everything they load. Rows marked as part of another are inside it and not added to the total.
PHASES = [
    ("dynamic loading (dlopen of libcurl, libcrypto)", r"^dlopen@@", None),
    ("OpenSSL's random generator, first use", r"^RAND_bytes$", None),
    ("the redirect listener (with its peer checks)", r"LoopbackHTTPServer.*serve", None),
    ("HTTP requests (libcurl)", r"^curl_easy_perform$", None),
    ("TLS handshakes", r"^SSL_connect$", "HTTP requests"),
    ("TLS contexts, one per connection", r"^SSL_CTX_new$", "HTTP requests"),
    ("certificate decoding", r"^d2i_X509$", "HTTP requests"),
    ("STS's XML answer", r"XMLParser.*parseElement", None),
    ("JSON reading", r"JSONReader.*decode", None),
    ("the ID token's checks (RS256 included)", r"IDTokenVerifier\w*verify", None),
]


def own_cpu_ms(command, env):
    """User and system CPU of `command`'s process, in milliseconds."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"signin: {command} failed with {process.returncode}")
    return usage.ru_utime * 1000, usage.ru_stime * 1000


def breakdown(command, env):
    with tempfile.NamedTemporaryFile() as out:
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}"] + command, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        report = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out.name],
                                capture_output=True, text=True, check=True).stdout
    total, rows = None, []
    for line in report.splitlines():
        match = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(?:\S*:)?(.*?)(?: \[.*\])?$", line)
        if not match:
            continue
        count, name = int(match.group(1).replace(",", "")), match.group(2)
        if name == "PROGRAM TOTALS":
            total = count
        rows.append((count, name))
    print(f"\nInstructions of one sign-in (callgrind): {total:,}")
    counted = 0
    for label, pattern, part_of in PHASES:
        count = next((count for count, name in rows if re.search(pattern, name)), 0)
        if part_of:
            print(f"    {label + ' (in ' + part_of + ')':48} {count:>12,} {100 * count / total:5.1f}%")
            continue
        counted += count
        print(f"  {label:50} {count:>12,} {100 * count / total:5.1f}%")
    rest = total - counted
    print(f"  {'the rest (process start, Swift runtime, maws)':50} {rest:>12,} {100 * rest / total:5.1f}%")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--maws", required=True, help="the maws release binary")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with Stack() as stack:
        role = stack.role_arn("Admin")
        samples = []
        for _ in range(args.runs + 1):
            with tempfile.TemporaryDirectory(prefix="maws-signin-") as scratch:
                scratch = Path(scratch)
                (scratch / "config.ini").write_text(stack.config_text())
                command = [args.maws, "-c", str(scratch / "config.ini"), "-b", "-r", role]
                samples.append(own_cpu_ms(command, maws_environment(scratch / "home", stack)))
        samples = samples[1:]  # the first warms the page cache for libcurl and libcrypto
        user = statistics.median(sample[0] for sample in samples)
        system = statistics.median(sample[1] for sample in samples)
        total = statistics.median(sample[0] + sample[1] for sample in samples)
        print(f"Full sign-in, maws's own CPU over {len(samples)} fresh sign-ins (medians): "
              f"{total:.1f} ms ({user:.1f} user, {system:.1f} system)")
        with tempfile.TemporaryDirectory(prefix="maws-signin-") as scratch:
            scratch = Path(scratch)
            (scratch / "config.ini").write_text(stack.config_text())
            breakdown([args.maws, "-c", str(scratch / "config.ini"), "-b", "-r", role], maws_environment(scratch / "home", stack))


if __name__ == "__main__":
    main()
