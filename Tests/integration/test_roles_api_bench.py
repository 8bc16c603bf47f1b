"""The roles API's load benchmark (bench/roles_api.py) runs, and finds the server answering right."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from helpers import ROOT
from maws_stack.stack import roles_binary


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (Debian package wrk)")
def test_the_benchmark_smoke_run_passes():
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "roles_api.py"), "--smoke", "--json"],
                         env=dict(os.environ, MAWS_ROLES_BIN=roles_binary()), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    figures = json.loads(run.stdout)
    assert figures["requests"] > 0 and figures["errors"] == 0 and figures["non_200"] == 0 and figures["checked"]
