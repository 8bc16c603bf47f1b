"""The binary on a machine where others can write next to it: it loads libraries from the system's
folders only, never from its own folder (SwiftPM links `$ORIGIN` into the search path unless told
not to; the Makefile builds with --disable-local-rpath)."""

import shutil
import subprocess

from helpers import Maws


def bogus_libraries(folder):
    """Files that would make the process fail if the loader ever opened one of them."""
    for name in ("libc.so.6", "libm.so.6", "libgcc_s.so.1", "libcurl.so.4", "libcrypto.so.3", "libssl.so.3"):
        (folder / name).write_text("not a library\n")


def test_no_library_is_loaded_from_the_binarys_folder(maws, stack, tmp_path):
    folder = tmp_path / "bin"
    folder.mkdir()
    copy = folder / "maws"
    shutil.copy2(maws.binary, copy)
    bogus_libraries(folder)
    version = subprocess.run([str(copy), "--version"], capture_output=True, text=True, timeout=30)
    assert version.returncode == 0, version.stderr
    # A sign-in opens libcurl and libcrypto with dlopen, which searches the binary's run path too.
    maws.binary = str(copy)
    result = maws.run("-o", "boto", "-r", stack.role_arn("Admin"))
    assert result.returncode == 0, result.stderr
    assert "aws_access_key_id" in result.stdout
