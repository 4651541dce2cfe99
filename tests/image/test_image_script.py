"""scripts/image_test.py where no container can start: one line, exit 77 (0 for CI).

The real image test needs podman and root (`make image-test`); these cases stand a fake
`podman` on PATH that behaves as podman does on a machine without the permissions containers
need (its message is the one runc gives when it may not set the container's rlimits).
"""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DENIED = (
    "Error: runc: runc create failed: unable to start container process: error during container init: "
    "error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: "
    "OCI permission denied"
)


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("image_test_script", ROOT / "scripts" / "image_test.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fake_podman(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A podman whose base image exists but whose containers cannot start; it logs its calls."""
    calls = tmp_path / "calls"
    script = tmp_path / "bin" / "podman"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        'case "$*" in\n'
        '  *" image exists "*) exit 0 ;;\n'
        f'  *" run "*) echo "{DENIED}" >&2; exit 126 ;;\n'
        "  *) exit 0 ;;\n"
        "esac\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    return calls


def test_a_runtime_that_cannot_start_is_one_line_and_exit_77(
    fake_podman: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_script().main([]) == 77
    out = capsys.readouterr().out.splitlines()
    not_run = [line for line in out if "not run" in line]
    assert len(not_run) == 1 and "OCI permission denied" in not_run[0], out
    assert not [line for line in fake_podman.read_text().splitlines() if " build " in f" {line} "], "no build tried"


def test_ci_counts_the_rest_where_no_container_can_start(
    fake_podman: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_script().main(["--if-runtime-available"]) == 0
    assert "a container cannot start on this machine" in capsys.readouterr().out


def test_the_runtime_gets_limits_it_may_set(fake_podman: Path) -> None:
    # podman's own rootful defaults (nofile 1048576) fail where CAP_SYS_RESOURCE is missing.
    load_script().main([])
    run = next(line for line in fake_podman.read_text().splitlines() if line.split()[2:3] == ["run"])
    assert "--runtime runc" in run and "--ulimit nproc=4096:4096" in run
    nofile = int(run.split("--ulimit nofile=")[1].split(":")[0])
    assert 0 < nofile <= 1 << 20
