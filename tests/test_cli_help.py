"""`controlroom --help`, as a new user types it: every command is listed with one line, and each listed
command answers its own --help."""

from __future__ import annotations

import re
import subprocess
import sys

from console.app import HANDLERS
from tests.conftest import REPO


def controlroom(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args], capture_output=True, text=True, cwd=REPO, timeout=60
    )


def test_help_lists_every_command_with_one_line() -> None:
    done = controlroom("--help")
    assert (done.returncode, done.stderr) == (0, "")
    listed = {m[1]: m[2] for m in re.finditer(r"^  ([a-z]+) +(\S.*)$", done.stdout, re.MULTILINE)}
    for name in HANDLERS:
        assert name in listed, f"`controlroom --help` does not list `{name}`:\n{done.stdout}"
        assert len(listed[name]) > 10, listed[name]


def test_every_listed_command_answers_its_own_help() -> None:
    for name in HANDLERS:
        done = controlroom(name, "--help")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"usage: controlroom {name}"), done.stdout
