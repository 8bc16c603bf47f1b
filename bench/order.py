"""Writes Linker/maws.order: the functions and data that maws's frequent runs touch, for lld to lay
out together (--symbol-ordering-file), so that a run faults in few pages of the 30 MB binary.

Signs in once against the local stack, as bench/instructions.py does, then runs each command of
the warm path and `--version` and `--help`:
  - under callgrind, which names every function that ran (code: .text), and
  - under lackey, which traces every data access, the dynamic loader's relocations included; the
    addresses in the binary's writable segments are mapped to symbols with `nm` (data: .data,
    .bss).
Functions come first, in the order they are first seen, then data. A symbol that a later change
renames or removes is simply not found by the linker (--no-warn-symbol-ordering): a stale order
costs page faults, never correctness. Run `bench/order` after changes to the warm path.
"""

import argparse
import bisect
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from instructions import warm_commands
from maws_stack import Stack

ROOT = Path(__file__).resolve().parents[1]
ORDER = ROOT / "Linker" / "maws.order"
# Where valgrind maps a position-independent executable (its load address for PIE on amd64);
# checked below against the address of `main` in the trace.
VALGRIND_PIE_BASE = 0x108000


def functions(command, env, binary):
    """The functions of `binary` that ran, in the order callgrind first lists them."""
    with tempfile.NamedTemporaryFile() as out:
        subprocess.run(["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={out.name}"] + command,
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        names, objects, found = {}, {}, []
        current_object = None
        for line in Path(out.name).read_text(errors="replace").splitlines():
            match = re.match(r"(ob|cob|fn|cfn)=\((\d+)\)(?: (.*))?$", line)
            if not match:
                continue
            kind, number, name = match.groups()
            table = objects if kind in ("ob", "cob") else names
            if name:
                table[number] = name
            if kind == "ob":
                current_object = objects.get(number)
            elif kind == "fn" and current_object == binary:
                found.append(names[number])
        return found


def data(command, env, binary):
    """The data symbols of `binary` that the run read or wrote, in the order first touched."""
    symbols, writable, relro = [], [], (0, 0)
    for line in subprocess.run(["nm", "-S", binary], capture_output=True, text=True, check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "bBdD":
            symbols.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
        if len(parts) == 3 and parts[2] == "main":
            main_address = int(parts[0], 16)
    symbols.sort()
    starts = [start for start, _, _ in symbols]
    for line in subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout.splitlines():
        parts = line.split()
        if parts[:1] == ["LOAD"] and "W" in "".join(parts[6:-1]):
            writable.append((int(parts[2], 16), int(parts[2], 16) + int(parts[5], 16)))
        if parts[:1] == ["GNU_RELRO"]:
            # Made read-only after relocation: every one of its pages holds pointers that are
            # relocated, so the order of its symbols changes nothing.
            relro = (int(parts[2], 16), int(parts[2], 16) + int(parts[5], 16))
    with tempfile.NamedTemporaryFile() as log:
        subprocess.run(["valgrind", "--tool=lackey", "--trace-mem=yes", f"--log-file={log.name}"] + command,
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        found, seen, saw_main = [], set(), False
        with open(log.name, errors="replace") as trace:
            for line in trace:
                if line.startswith("I"):
                    saw_main = saw_main or int(line[3:].split(",")[0], 16) == VALGRIND_PIE_BASE + main_address
                    continue
                # Before main, the dynamic loader writes every relocated pointer. Those come first
                # in the order, which packs the relocated data of .data into fewer pages.
                if line[:2] not in (" L", " S", " M"):
                    continue
                address = int(line[3:].split(",")[0], 16) - VALGRIND_PIE_BASE
                if not any(low <= address < high for low, high in writable) or relro[0] <= address < relro[1]:
                    continue
                index = bisect.bisect_right(starts, address) - 1
                if index >= 0 and address < symbols[index][0] + max(symbols[index][1], 1):
                    name = symbols[index][2]
                    if name not in seen:
                        seen.add(name)
                        found.append(name)
        if not saw_main:
            sys.exit(f"order: valgrind did not load {binary} at {VALGRIND_PIE_BASE:#x}; update VALGRIND_PIE_BASE")
        return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--maws", required=True, help="the maws release binary")
    args = parser.parse_args()
    binary = str(Path(args.maws).resolve())
    with Stack() as stack, tempfile.TemporaryDirectory(prefix="maws-order-") as scratch:
        env, commands = warm_commands(args.maws, stack, Path(scratch))
        code, variables = [], []
        for name, command in commands.items():
            code += [symbol for symbol in functions(command, env, binary) if symbol not in code]
            variables += [symbol for symbol in data(command, env, binary) if symbol not in variables]
            print(f"{name}: {len(code)} functions, {len(variables)} data symbols so far")
    header = ["# Generated by bench/order from the runs in bench/order.py; see Linker/README.md.", "# Functions:"]
    ORDER.write_text("\n".join(header + code + ["# Data:"] + variables) + "\n")
    print(f"wrote {ORDER.relative_to(ROOT)}: {len(code)} functions, {len(variables)} data symbols")


if __name__ == "__main__":
    main()
