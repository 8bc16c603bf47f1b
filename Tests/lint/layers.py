#!/usr/bin/env python3
"""Checks that MawsCore's folders use only their own and earlier layers.

The order is the numbered list in Sources/MawsCore/README.md. A file may name a type (or a free
function) declared in its own folder or an earlier one; naming one declared in a later folder is a
back-edge and is reported with the file, line and name. Exit status 1 when there is one.
With --graph, prints each folder's direct dependencies instead.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "Sources" / "MawsCore"
DECLARATION = re.compile(r"^(?:(?:public|package|internal|private|fileprivate|final|indirect|nonisolated)\s+)*"
                         r"(struct|enum|class|protocol|actor|typealias|func)\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)
IDENTIFIER = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b\(?")


def layers():
    order = re.findall(r"^\d+\. `(\w+)`", (CORE / "README.md").read_text(), re.MULTILINE)
    on_disk = sorted(p.name for p in CORE.iterdir() if p.is_dir())
    if sorted(order) != on_disk:
        sys.exit(f"layers.py: the README lists {sorted(order)} but MawsCore has {on_disk}")
    return order


def code_only(text):
    """The text without comments and string literals, line breaks kept (so line numbers hold)."""
    text = re.sub(r'"""(?:.|\n)*?"""', lambda m: "\n" * m.group(0).count("\n"), text)
    text = re.sub(r"/\*(?:.|\n)*?\*/", lambda m: "\n" * m.group(0).count("\n"), text)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)


def main():
    order = layers()
    rank = {name: index for index, name in enumerate(order)}
    declared = {}
    for folder in order:
        for path in sorted((CORE / folder).rglob("*.swift")):
            # Top-level declarations only: nested types (Outcome, Request...) belong to their owner.
            top_level = "\n".join(line for line in code_only(path.read_text()).splitlines() if not line.startswith((" ", "\t")))
            for kind, name in DECLARATION.findall(top_level):
                # A free function counts only where it is called: `lines(` is a use, `let lines` is not.
                declared.setdefault(name + "(" if kind == "func" else name, folder)
    problems = []
    uses = {folder: set() for folder in order}
    for folder in order:
        for path in sorted((CORE / folder).rglob("*.swift")):
            for number, line in enumerate(code_only(path.read_text()).splitlines(), start=1):
                for word in set(IDENTIFIER.findall(line)):
                    name = word if word in declared else word.rstrip("(")
                    owner = declared.get(name)
                    if owner and owner != folder:
                        uses[folder].add(owner)
                    if owner and rank[owner] > rank[folder]:
                        problems.append(f"{path.relative_to(ROOT)}:{number}: {folder} uses {name.rstrip('(')} from {owner}, a later layer")
    if "--graph" in sys.argv[1:]:
        for folder in order:
            print(f"{folder}: {', '.join(sorted(uses[folder], key=rank.get)) or '(nothing)'}")
    for problem in problems:
        print(problem)
    if problems:
        sys.exit(1)
    print(f"layers: {len(order)} folders in order, no back-edges ({' → '.join(order)})")


if __name__ == "__main__":
    main()
