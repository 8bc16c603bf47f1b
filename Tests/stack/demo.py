"""`make demo`: maws's main job, end to end, against the local stack.

Starts the IdP, AWS (STS and IAM) and the roles API (the project's `maws-roles serve`, over the
map `maws-roles build` makes from the local IAM) on loopback, writes a config for them, runs
maws, prints the export lines it produced and the identity STS reports for them, then stops.
With a display (and DEMO_UNATTENDED unset) your own browser opens at the test IdP and you choose
the role in it (the web role picker). Without one, the scripted user agent signs in as the demo
user alice; on a terminal you then choose the role there (the terminal picker), and unattended
(DEMO_UNATTENDED=1, or no terminal) the user agent chooses Admin in the web picker.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from maws_stack import Stack

HERE = Path(__file__).resolve().parent


def say(text):
    print(text, file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--maws", required=True, help="the maws binary to run")
    args = parser.parse_args()

    forced = os.environ.get("DEMO_UNATTENDED") == "1"
    own_browser = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and not forced
    terminal_picker = not own_browser and not forced and os.isatty(0)

    with Stack() as stack, tempfile.TemporaryDirectory(prefix="maws-demo-") as home:
        config = Path(home) / "config.ini"
        config.write_text(stack.config_text())
        say(f"Local stack up: IdP {stack.issuer}, AWS (moto) {stack.aws.url}, "
            f"roles API (maws-roles serve) {stack.roles_api.url}")
        say(f"Demo config written to {config}:\n" + "".join(f"    {line}\n" for line in config.read_text().splitlines()))

        env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
        env.update({"HOME": home, "XDG_CONFIG_HOME": f"{home}/config", "XDG_CACHE_HOME": f"{home}/cache"})
        command = [args.maws, "-c", str(config)]
        if own_browser:
            say("Your browser opens at the local test IdP: press 'alice' to sign in, then choose a role on the "
                "page maws shows. The IdP serves HTTPS with a certificate from a CA made for this demo, so the "
                "browser warns first: accept it to go on.")
        else:
            env.update({"BROWSER": str(HERE / "bin" / "scripted-browser"), "MAWS_TEST_PYTHON": sys.executable,
                        "MAWS_TEST_USER": "alice", "MAWS_TEST_CA": stack.ca_file})
            if terminal_picker:
                say("No display: the scripted user agent signs in as alice; choose the role here.")
                command += ["--picker", "terminal"]
            else:
                env["MAWS_TEST_PICK"] = "Admin"
                say("Unattended: the scripted user agent signs in as alice and chooses Admin in maws's web role picker.")

        say("$ " + " ".join(command))
        result = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True)
        if result.returncode != 0:
            say(f"maws exited with {result.returncode}")
            return result.returncode

        print("\nmaws printed (this is what `eval \"$(maws)\"` runs):\n")
        print(result.stdout)

        aws = str(Path(sys.executable).parent / "aws")
        check = subprocess.run(
            ["bash", "-c", f'eval "$MAWS_OUTPUT"; "{aws}" sts get-caller-identity --output json'],
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "MAWS_OUTPUT": result.stdout,
                 "AWS_ENDPOINT_URL": stack.aws.url, "AWS_CA_BUNDLE": stack.ca_file, "AWS_DEFAULT_REGION": "us-east-1"},
            capture_output=True, text=True)
        if check.returncode != 0:
            say("aws sts get-caller-identity failed:\n" + check.stderr)
            return 1
        print("With those variables, `aws sts get-caller-identity` answers:\n")
        print(check.stdout)
    say("Stack stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
