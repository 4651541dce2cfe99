"""Build and host facts sent with Hello.

ConductorOne rejects a Hello whose OS fields are empty, so every field falls back to something
non-empty, the same fallbacks the Go SDK uses.
"""

from __future__ import annotations

import os
import platform
import socket
import sys

from baton_confluence import __version__
from baton_confluence.baton import pb

PACKAGE = "baton-confluence"
# sys.platform spelled as Go's GOOS, which is what ConductorOne sees from every other connector.
GO_OS_NAMES = {"win32": "windows", "cygwin": "windows"}

Hello = pb.baton.BatonServiceHelloRequest


def build_info() -> Hello.BuildInfo:
    return Hello.BuildInfo(
        lang_version=f"python{platform.python_version()}", package=PACKAGE, package_version=__version__
    )


def _os_release() -> dict[str, str]:
    try:
        return platform.freedesktop_os_release()
    except OSError:  # not Linux, or no /etc/os-release (scratch-like images)
        return {}


def _virtualization() -> str:
    # The cheap, reliable markers container runtimes leave behind; "none" otherwise.
    if os.path.exists("/.dockerenv"):
        return "docker"
    if os.path.exists("/run/.containerenv"):
        return "podman"
    return "none"


def os_info() -> Hello.OSInfo:
    release = _os_release()
    uname = platform.uname()
    os_name = GO_OS_NAMES.get(sys.platform, sys.platform)
    plat = release.get("ID") or uname.system.lower() or os_name
    kernel = uname.release or "unknown"
    return Hello.OSInfo(
        hostname=socket.gethostname() or "unknown",
        os=os_name,
        platform=plat,
        platform_family=(release.get("ID_LIKE") or "").split(" ")[0] or plat,
        platform_version=release.get("VERSION_ID") or kernel,
        kernel_version=kernel,
        kernel_arch=uname.machine or "unknown",
        virtualization_system=_virtualization(),
    )
