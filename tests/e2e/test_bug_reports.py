"""Only errors of the runtime's error tree are the user's (issue 24): a stray exception from
inside a command is a bug, reported as one "please report" line with exit code 1, its traceback
kept for the debug log and never on the terminal; errors of the tree keep their exit codes.

Each case is a real process running the real command line, with one function of a command
replaced (in that process only) by one that raises."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RAISING = """
import sys
import baton_confluence.cli.commands as commands
def raising():
    raise {error}
commands.print_capabilities = raising
from baton_confluence.cli.main import main
sys.exit(main({argv!r}))
"""


def _run(error: str, argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    code = RAISING.format(error=error, argv=argv)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_stray_value_error_is_a_bug_to_report_with_exit_1_and_no_traceback(tmp_path: Path) -> None:
    done = _run("ValueError('the list was empty')", ["capabilities"], tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("error: unexpected ValueError: the list was empty; this is a bug, please report")
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_bug_s_traceback_is_in_the_debug_log(tmp_path: Path) -> None:
    done = _run("KeyError('x')", ["capabilities", "--log-level", "debug", "--log-format", "json"], tmp_path)
    assert done.returncode == 1
    *log_lines, last = done.stderr.splitlines()
    assert last.startswith("error: unexpected KeyError: 'x'; this is a bug, please report")
    entries = [json.loads(line) for line in log_lines]
    bug = [e for e in entries if e.get("event") == "unexpected_error"]
    assert len(bug) == 1 and bug[0]["level"] == "debug" and bug[0]["error"] == "KeyError"
    assert "Traceback" in bug[0]["traceback"] and "in raising" in bug[0]["traceback"]


def test_an_error_of_the_tree_keeps_its_message_and_exit_code(tmp_path: Path) -> None:
    error = "__import__('baton_confluence.confluence.settings').confluence.settings.SettingsError('--nouns: no such noun')"
    done = _run(error, ["capabilities"], tmp_path)
    assert (done.returncode, done.stderr) == (2, "error: --nouns: no such noun\n")
    error = "__import__('baton_confluence.baton.c1z.errors').baton.c1z.errors.C1ZError('sync.c1z is not a c1z file')"
    done = _run(error, ["capabilities"], tmp_path)
    assert (done.returncode, done.stderr) == (1, "error: sync.c1z is not a c1z file\n")


def test_a_bad_log_level_is_a_usage_error(tmp_path: Path) -> None:
    done = _run("AssertionError('not reached')", ["capabilities", "--log-level", "loud"], tmp_path)
    assert done.returncode == 2
    assert done.stderr == "error: unknown log level 'loud'; use one of debug, info, warn, error\n"
