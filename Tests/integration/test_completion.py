"""Shell completion: swift-argument-parser's scripts, with role ARNs and profile names from what
maws holds. The bash script is loaded into a real bash and its function called as bash's
programmable completion calls it."""

import os
import shlex
import subprocess
from pathlib import Path


def complete(maws, line):
    """What bash offers for `line` (the cursor at its end), via maws's completion script."""
    script = maws.home / "maws.bash"
    if not script.exists():
        result = maws.run("--generate-completion-script", "bash", config=False)
        assert result.returncode == 0, result.stderr
        script.write_text(result.stdout)
    words = shlex.split(line) + ([""] if line.endswith(" ") else [])
    program = f"""
source {shlex.quote(str(script))}
COMP_LINE={shlex.quote(line)}
COMP_POINT=${{#COMP_LINE}}
COMP_WORDS=({" ".join(shlex.quote(word) for word in words)})
COMP_CWORD={len(words) - 1}
function=$(complete -p maws | awk '{{for (i = 1; i < NF; i++) if ($i == "-F") print $(i + 1)}}')
"$function" maws "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    env = maws.env()
    env["PATH"] = f"{Path(maws.binary).parent}{os.pathsep}{env['PATH']}"  # the script runs `maws`
    result = subprocess.run(["bash", "-c", program], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_subcommands_and_formats_complete(maws):
    assert "credential-process" in complete(maws, "maws cre")
    for command in ("maws", "maws login"):  # login is the default command: its options come without its name
        assert set(complete(maws, f"{command} -o ")) == {"envvar", "awscli", "shared", "boto", "js"}
        assert set(complete(maws, f"{command} -b --shell ")) == {"sh", "fish", "powershell"}
    assert "--role-arn" in complete(maws, "maws --r")
    assert "--version" in complete(maws, "maws --v")


def test_role_arns_come_from_the_cached_role_lists(maws, stack):
    assert complete(maws, "maws -r ") == []  # nothing cached yet, and no request made
    assert maws.run("-r", stack.role_arn("Admin")).returncode == 0
    offered = complete(maws, "maws -r ")
    assert offered == complete(maws, "maws login --role-arn ")
    assert stack.role_arn("Admin") in offered and stack.role_arn("ReadOnly") in offered
    assert complete(maws, f"maws credential-process --role-arn {stack.role_arn('Adm')}") == [stack.role_arn("Admin")]


def test_profiles_come_from_the_profiles_maws_wrote(maws, stack):
    assert maws.run("-o", "awscli", "--profile", "work-admin", "-r", stack.role_arn("Admin")).returncode == 0
    assert complete(maws, "maws -o awscli --profile w") == ["work-admin"]
