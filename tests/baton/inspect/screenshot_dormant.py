"""The picture of the review page's dormant-administrator highlight in docs/ (docs/inspect.md):
the hand-made file of tests/baton/inspect/handmade_activity.py, its page drawn by headless Chromium.

Usage: python -m tests.baton.inspect.screenshot_dormant [docs/review-dormant.png]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.baton.inspect.browser import Browser
from tests.baton.inspect.handmade_activity import write_activity
from tests.e2e.cli import run_cli

DEFAULT = Path(__file__).resolve().parents[3] / "docs" / "review-dormant.png"


def main(argv: list[str]) -> int:
    target = Path(argv[0]).resolve() if argv else DEFAULT
    with tempfile.TemporaryDirectory(prefix="review-dormant-") as folder:
        write_activity(Path(folder) / "sync.c1z")
        result = run_cli(["inspect", "report", "sync.c1z", "-o", "access.html"], Path(folder))
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
        with Browser(width=1100, height=760) as browser:
            browser.open((Path(folder) / "access.html").as_uri())
            browser.wait_for("document.body && document.body.dataset.ready === 'highlights'")
            browser.screenshot(target)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
