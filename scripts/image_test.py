"""`make image-test`: build the container image with podman and use it as a user would.

1. A Debian bookworm base with python3 (3.11) and python3-venv: the official
   python:3.11-slim-bookworm if it is already in podman's storage or can be pulled, otherwise
   one made with mmdebstrap from the host's Debian mirror. Either is kept in podman's storage,
   so the next run (or a fresh clone) reuses it; `--rebuild-base` starts from nothing.
2. `podman build` of the repository's Dockerfile, given the two build inputs that
   docs/service-mode.md documents: `PIP_INDEX_URL` (here a local index that records the
   requests and redirects to the real one, with a user name and password in the URL) and the
   `pip_ca` secret (the host's CA bundle plus a marker line). The build must use the index,
   and the final image must hold neither input: no file, layer history or config holds the
   password or the marker.
3. The image's contents: no tests, no credentials or private keys, no pip or setuptools in the
   shipped venv, no simulator code; it runs as uid 10001 from /out, owned by that user.
4. Runs, as uid 10001 with a read-only root filesystem and a tmpfs at /tmp (as the Kubernetes
   manifest does): `--help`, `capabilities` (equal to the host's), and a one-shot sync with the
   default file path against the simulated site served on the host (host network). The c1z
   it wrote, copied out, has the same `inspect stats` as a host sync of the same site.

Exit status: 0 passed; 1 a check failed; 77 (with one line saying why) a container cannot start
on this machine, e.g. no permission; with `--if-runtime-available` that case exits 0.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from confluence_simulator import SimulatedSite, SiteSpec

ROOT = Path(__file__).resolve().parent.parent
CANNOT_RUN = 77
IMAGE = "localhost/baton-confluence:image-test"
OFFICIAL_BASE = "docker.io/library/python:3.11-slim-bookworm"
MMDEBSTRAP_BASE = "localhost/baton-confluence-base:bookworm"
RECIPE_LABEL = "baton-confluence.base-recipe"
# The mmdebstrap base: bookworm's python3 is 3.11; venv is needed by the build stage. Docs,
# manuals and locales are never unpacked; the stdlib's regression-test package (which python3's
# own setup byte-compiles, so it cannot be excluded from unpacking) is removed afterwards.
BASE_PACKAGES = ("python3", "python3-venv")
BASE_EXCLUDES = ("/usr/share/doc/*", "/usr/share/man/*", "/usr/share/locale/*", "/usr/share/info/*")
BASE_HOOKS = ('rm -rf "$1"/usr/lib/python3.11/test',)
HOST_SOURCES = (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list"))
# podman's default rlimits for rootful containers (nofile 1048576 and more) exceed what a
# process without CAP_SYS_RESOURCE may set, as in this project's sandboxed machines; limits at
# or below the host's own start everywhere and are ample for one connector process.
NPROC_LIMIT = 4096
UID = "10001"
SHIPPED_VENV = "opt/venv"
FORBIDDEN_IN_VENV = re.compile(r"^opt/venv/(bin/(pip|easy_install)|lib/python3[.\d]*/site-packages/"
                               r"(pip|setuptools|pkg_resources|_distutils_hack|wheel)([-_.][^/]*)?(/|$))")  # fmt: skip
CREDENTIAL_FILES = re.compile(r"(^|/)(\.baton\.ya?ml|\.env|[^/]*\.c1z|secret\.yaml|\.netrc|\.pypirc)$")
# A PEM private key itself (the marker line and base64), not code that names the marker.
PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=]{40,}")
TEST_PATH = re.compile(r"(^|/)(tests?|conftest\.py)(/|$)")
SECRET_ENV = re.compile(r"^(BATON_|PIP_INDEX_URL|PIP_EXTRA_INDEX_URL|PIP_CERT)|SECRET|TOKEN|PASSWORD|API_KEY")


class CheckFailed(Exception):
    """A check of the image failed; the message says which and why."""


class RuntimeUnavailable(Exception):
    """A container cannot be started on this machine (permissions)."""


def log(message: str) -> None:
    print(f"image-test: {message}", flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


@dataclass
class Podman:
    """podman with the runtime and limits every container of this test uses."""

    runtime: str = "runc"
    nofile: int = field(default_factory=lambda: min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 1 << 20))

    def limits(self) -> list[str]:
        return ["--ulimit", f"nofile={self.nofile}:{self.nofile}", "--ulimit", f"nproc={NPROC_LIMIT}:{NPROC_LIMIT}"]

    def __call__(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        run = subprocess.run(["podman", "--runtime", self.runtime, *args], capture_output=True, text=True, timeout=timeout)
        if check and run.returncode != 0:
            raise CheckFailed(f"podman {' '.join(args[:2])} failed ({run.returncode}): {run.stderr.strip()[-1500:]}")
        return run

    def exists(self, image: str) -> bool:
        return self("image", "exists", image, check=False).returncode == 0

    def label(self, image: str, name: str) -> str:
        return self("image", "inspect", "--format", f'{{{{index .Config.Labels "{name}"}}}}', image).stdout.strip()

    def run_container(self, image: str, *args: str, options: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
        """One container as the Kubernetes manifest runs it: read-only root, a tmpfs at /tmp."""
        return self("run", "--rm", "--network", "host", *self.limits(), "--read-only", "--tmpfs", "/tmp",
                    *options, image, *args, check=False)  # fmt: skip


# -- 1. the base ----------------------------------------------------------------------------


def mmdebstrap_recipe() -> list[str]:
    args = ["--variant=minbase", f"--include={','.join(BASE_PACKAGES)}"]
    args += [f"--dpkgopt=path-exclude={pattern}" for pattern in BASE_EXCLUDES]
    args += [f"--customize-hook={hook}" for hook in BASE_HOOKS]
    return args


def host_mirror() -> list[str]:
    """The host's own apt sources when they are bookworm's (the mirror this machine reaches)."""
    for path in HOST_SOURCES:
        if path.is_file() and "bookworm" in path.read_text():
            return [str(path)]
    return []


def recipe_digest() -> str:
    text = json.dumps([mmdebstrap_recipe(), [p.read_text() for p in map(Path, host_mirror())]])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_base(podman: Podman) -> None:
    if shutil.which("mmdebstrap") is None:
        raise CheckFailed("no base image and no mmdebstrap to make one: apt-get install mmdebstrap")
    with tempfile.TemporaryDirectory(prefix="image-test-base-") as tmp:
        tarball = Path(tmp) / "base.tar"
        made = subprocess.run(["mmdebstrap", *mmdebstrap_recipe(), "bookworm", str(tarball), *host_mirror()],
                              capture_output=True, text=True, timeout=1200)  # fmt: skip
        if made.returncode != 0:
            raise CheckFailed(f"mmdebstrap failed: {made.stderr.strip()[-1500:]}")
        podman("import", "--change", f"LABEL {RECIPE_LABEL}={recipe_digest()}", "--change", "ENV LANG=C.UTF-8",
               "--change", 'CMD ["/bin/sh"]', str(tarball), MMDEBSTRAP_BASE)  # fmt: skip


def ensure_base(podman: Podman) -> tuple[str, str]:
    """The base image to build from, and how it was obtained."""
    if podman.exists(OFFICIAL_BASE):
        return OFFICIAL_BASE, "official, cached"
    if podman.exists(MMDEBSTRAP_BASE) and podman.label(MMDEBSTRAP_BASE, RECIPE_LABEL) == recipe_digest():
        return MMDEBSTRAP_BASE, "mmdebstrap, cached"
    if podman("pull", "--quiet", OFFICIAL_BASE, check=False, timeout=300).returncode == 0:
        return OFFICIAL_BASE, "official, pulled"
    log("no container registry reachable: making a bookworm base with mmdebstrap")
    build_base(podman)
    return MMDEBSTRAP_BASE, "mmdebstrap, made"


def probe_runtime(podman: Podman, base: str) -> None:
    run = podman("run", "--rm", *podman.limits(), base, "true", check=False, timeout=120)
    if run.returncode != 0:
        first = next((ln for ln in run.stderr.splitlines() if ln.strip()), "no message")
        if re.search(r"permission|not permitted|EPERM|EACCES|cgroup|namespace", first, re.IGNORECASE):
            raise RuntimeUnavailable(first.strip())
        raise CheckFailed(f"a trivial container does not start: {first.strip()}")


# -- 2. the build, with a package index and a CA bundle -------------------------------------


def upstream_index() -> str:
    """The index the host's pip uses, which the local index redirects to."""
    if configured := os.environ.get("PIP_INDEX_URL"):
        return configured.rstrip("/")
    got = subprocess.run([sys.executable, "-m", "pip", "config", "get", "global.index-url"],
                         capture_output=True, text=True)  # fmt: skip
    if got.returncode == 0 and got.stdout.strip():
        return got.stdout.strip().rstrip("/")
    from pip._internal.models.index import PyPI  # pip's own default, so no index host is named here

    return str(PyPI.simple_url).rstrip("/")


class RecordingIndex(http.server.ThreadingHTTPServer):
    """A "private" package index on 127.0.0.1: records each request, redirects to the upstream."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.requests: list[tuple[str, str]] = []  # (path, Authorization header)
        super().__init__(("127.0.0.1", 0), IndexHandler)


class IndexHandler(http.server.BaseHTTPRequestHandler):
    server: RecordingIndex

    def do_GET(self) -> None:
        self.server.requests.append((self.path, self.headers.get("Authorization", "")))
        project = self.path.removeprefix("/simple").strip("/")
        self.send_response(302)
        self.send_header("Location", f"{self.server.upstream}/{project}/" if project else f"{self.server.upstream}/")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def recording_index() -> Iterator[RecordingIndex]:
    server = RecordingIndex(upstream_index())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def host_ca_bundle() -> Path | None:
    for name in ("PIP_CERT", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        if (value := os.environ.get(name)) and Path(value).is_file():
            return Path(value)
    default = Path("/etc/ssl/certs/ca-certificates.crt")
    return default if default.is_file() else None


@dataclass(frozen=True)
class BuildInputs:
    index_password: str
    index_url: str
    ca_marker: str
    ca_file: Path


def build_image(podman: Podman, base: str, inputs: BuildInputs, log_file: Path) -> float:
    started = time.monotonic()
    run = podman("build", "--network", "host", *podman.limits(), "--build-arg", f"PYTHON_IMAGE={base}",
                 "--build-arg", f"PIP_INDEX_URL={inputs.index_url}", "--secret", f"id=pip_ca,src={inputs.ca_file}",
                 "-t", IMAGE, "-f", str(ROOT / "Dockerfile"), str(ROOT), check=False, timeout=1800)  # fmt: skip
    seconds = time.monotonic() - started
    log_file.write_text(run.stdout + run.stderr)
    if run.returncode != 0:
        raise CheckFailed(f"podman build failed ({run.returncode}); last lines:\n{(run.stdout + run.stderr)[-3000:]}")
    return seconds


# -- 3. what the image holds ----------------------------------------------------------------


@dataclass
class ImageContents:
    paths: set[str] = field(default_factory=set)
    owners: dict[str, tuple[int, int]] = field(default_factory=dict)
    private_keys: list[str] = field(default_factory=list)
    holding: dict[bytes, list[str]] = field(default_factory=dict)  # marker -> files that contain it


def read_contents(podman: Podman, markers: Sequence[bytes]) -> ImageContents:
    contents = ImageContents(holding={m: [] for m in markers})
    container = podman("create", IMAGE).stdout.strip()
    try:
        export = subprocess.Popen(["podman", "--runtime", podman.runtime, "export", container], stdout=subprocess.PIPE)
        assert export.stdout is not None
        with tarfile.open(fileobj=export.stdout, mode="r|") as archive:
            for member in archive:
                name = member.name.removeprefix("./").rstrip("/")
                contents.paths.add(name)
                contents.owners[name] = (member.uid, member.gid)
                if not member.isfile() or (data := archive.extractfile(member)) is None:
                    continue
                body = data.read()
                # Compiled libraries may embed self-test keys (GnuTLS does); a leaked key is a file.
                if not body.startswith(b"\x7fELF") and PRIVATE_KEY.search(body):
                    contents.private_keys.append(name)
                for marker in markers:
                    if marker in body:
                        contents.holding[marker].append(name)
        check(export.wait() == 0, "podman export failed")
    finally:
        podman("rm", "-f", container, check=False)
    return contents


def check_contents(podman: Podman, inputs: BuildInputs, contents: ImageContents) -> None:
    paths = contents.paths
    check(any(p.startswith(f"{SHIPPED_VENV}/lib/") and p.endswith("/baton_confluence/__init__.py") for p in paths),
          "the connector package is not in the image's venv")  # fmt: skip
    tests = sorted(p for p in paths if TEST_PATH.search(p) and "/python3" in p)
    check(not tests, f"the image holds tests: {tests[:5]}")
    check(not [p for p in paths if p.startswith(("src/", "tests/"))], "the build's sources are in the final image")
    pip = sorted(p for p in paths if FORBIDDEN_IN_VENV.search(p))
    check(not pip, f"the shipped venv holds pip/setuptools: {pip[:5]}")
    simulator = sorted(p for p in paths if "confluence_simulator" in p)
    check(not simulator, f"the image holds simulator code: {simulator[:5]}")
    credentials = sorted(p for p in paths if CREDENTIAL_FILES.search(p))
    check(not credentials, f"the image holds credential files: {credentials}")
    check(not contents.private_keys, f"the image holds private keys: {contents.private_keys[:5]}")
    for marker, holders in contents.holding.items():
        check(not holders, f"a build input ({marker.decode()[:12]}...) is in the final image: {holders[:5]}")
    check(contents.owners.get("out") == (int(UID), int(UID)), f"/out is owned by {contents.owners.get('out')}")

    config = json.loads(podman("image", "inspect", IMAGE).stdout)[0]
    history = podman("history", "--no-trunc", "--format", "json", IMAGE).stdout
    for build_input in (inputs.index_password, inputs.ca_marker):
        check(build_input not in json.dumps(config) + history, "a build input is in the image's config or history")
    env = [e.split("=", 1)[0] for e in config["Config"].get("Env", [])]
    check(not [n for n in env if SECRET_ENV.search(n)], f"the image sets credential-like variables: {env}")
    check(config["Config"].get("User") == f"{UID}:{UID}", f"the image's user is {config['Config'].get('User')!r}")
    check(config["Config"].get("WorkingDir") == "/out", f"the image's working directory is {config['Config'].get('WorkingDir')!r}")

    probe = ("import importlib.util as u; "
             "print(','.join(m for m in ('pip', 'setuptools', 'confluence_simulator', 'tests') if u.find_spec(m)))")  # fmt: skip
    run = podman.run_container(IMAGE, "-c", probe, options=["--entrypoint", "/opt/venv/bin/python"])
    check(run.returncode == 0 and run.stdout.strip() == "", f"the connector's Python imports: {run.stdout.strip()} {run.stderr.strip()}")


# -- 4. running it --------------------------------------------------------------------------


def host_cli() -> str:
    return str(Path(sys.executable).with_name("baton-confluence"))


def stats(c1z: Path) -> dict[str, object]:
    run = subprocess.run([host_cli(), "inspect", "stats", "-o", "json", "-f", str(c1z)], capture_output=True, text=True)
    check(run.returncode == 0, f"inspect stats {c1z.name}: {run.stderr.strip()}")
    result: dict[str, object] = json.loads(run.stdout)
    result.pop("sync_id", None)
    return result


def check_runs(podman: Podman, work: Path) -> dict[str, object]:
    run = podman.run_container(IMAGE, "--help")
    check(run.returncode == 0 and run.stdout.startswith("usage: baton-confluence"), f"--help: {run.returncode} {run.stderr.strip()[-500:]}")
    run = podman.run_container(IMAGE, options=["--entrypoint", "/usr/bin/id"])
    check(run.returncode == 0 and run.stdout.split()[0] == f"uid={UID}(baton)", f"runs as {run.stdout.strip()}")

    run = podman.run_container(IMAGE, "capabilities")
    host = subprocess.run([host_cli(), "capabilities"], capture_output=True, text=True, check=True)
    check(run.returncode == 0, f"capabilities: {run.returncode} {run.stderr.strip()[-500:]}")
    check(json.loads(run.stdout) == json.loads(host.stdout), "capabilities differ from the host's")

    spec = SiteSpec(seed=16, users=80, groups=14, spaces=24)
    with SimulatedSite(spec) as site:
        credentials = {"BATON_DOMAIN_URL": site.url, "BATON_USERNAME": spec.username, "BATON_API_KEY": spec.api_token}
        name = f"baton-confluence-image-test-{secrets.token_hex(4)}"
        env_options = [opt for key, value in credentials.items() for opt in ("-e", f"{key}={value}")]
        try:
            # No -f and no volume: the default sync.c1z in /out, the image's working directory.
            run = podman("run", "--name", name, "--network", "host", *podman.limits(), "--read-only",
                         "--tmpfs", "/tmp", *env_options, "-e", "BATON_LOG_LEVEL=warn", IMAGE, check=False)  # fmt: skip
            check(run.returncode == 0, f"the sync in the container failed ({run.returncode}): {run.stderr.strip()[-1500:]}")
            podman("cp", f"{name}:/out/sync.c1z", str(work / "image.c1z"))
        finally:
            podman("rm", "-f", "-v", name, check=False)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")} | credentials
        host_run = subprocess.run([host_cli(), "-f", str(work / "host.c1z"), "--log-level", "warn"],
                                  env=env, capture_output=True, text=True)  # fmt: skip
        check(host_run.returncode == 0, f"the host sync failed: {host_run.stderr.strip()[-1500:]}")
    image_stats, host_stats = stats(work / "image.c1z"), stats(work / "host.c1z")
    check(image_stats == host_stats, f"the image's c1z differs from the host's:\n{image_stats}\n{host_stats}")
    return image_stats


def forget_everything(podman: Podman) -> None:
    """--rebuild-base: drop the cached bases, the image and its cached layers."""
    for image in (IMAGE, MMDEBSTRAP_BASE, OFFICIAL_BASE):
        podman("rmi", "-f", image, check=False)
    podman("image", "prune", "-f", check=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild-base", action="store_true", help="start from nothing: no cached base or layers")
    parser.add_argument("--if-runtime-available", action="store_true", help="exit 0 where no container can start")
    args = parser.parse_args(argv)
    if shutil.which("podman") is None:
        log("podman is not installed: apt-get install podman runc mmdebstrap")
        return 1
    podman = Podman()
    started = time.monotonic()
    try:
        if args.rebuild_base:
            forget_everything(podman)
        base_started = time.monotonic()
        base, how = ensure_base(podman)
        log(f"base {base} ({how}, {time.monotonic() - base_started:.0f} s)")
        probe_runtime(podman, base)
        with tempfile.TemporaryDirectory(prefix="image-test-") as tmp, recording_index() as index:
            work = Path(tmp)
            password, marker = secrets.token_hex(12), f"image-test-ca-marker-{secrets.token_hex(12)}"
            ca_file = work / "pip-ca.pem"
            source = host_ca_bundle()
            ca_file.write_text(f"# {marker}\n" + (source.read_text() if source else ""))
            inputs = BuildInputs(password, f"http://image-test:{password}@127.0.0.1:{index.server_port}/simple/",
                                 marker, ca_file)  # fmt: skip
            seconds = build_image(podman, base, inputs, work / "build.log")
            size = int(json.loads(podman("image", "inspect", IMAGE).stdout)[0]["Size"])
            log(f"built {IMAGE} in {seconds:.0f} s, {size / 1e6:.0f} MB")
            expected_auth = "Basic " + base64.b64encode(f"image-test:{password}".encode()).decode()
            used = [path for path, auth in index.requests if auth == expected_auth]
            check(bool(used), f"the build did not use PIP_INDEX_URL (it saw {index.requests[:3]})")
            log(f"the build fetched {len(used)} index pages through PIP_INDEX_URL")
            check_contents(podman, inputs, read_contents(podman, [password.encode(), marker.encode()]))
            log("no tests, credentials, build inputs, pip/setuptools or simulator code in the image")
            synced = check_runs(podman, work)
            log(f"--help, capabilities and a read-only sync as uid {UID}: {synced['grants']} grants, same as the host's")
    except RuntimeUnavailable as why:
        log(f"not run: a container cannot start on this machine ({why})")
        return 0 if args.if_runtime_available else CANNOT_RUN
    except CheckFailed as failure:
        log(f"FAILED: {failure}")
        return 1
    finally:
        # Each build leaves its build stage and the previous image untagged; the base and the
        # tagged image (with its layers) stay for the next run.
        podman("image", "prune", "-f", check=False)
    log(f"passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
