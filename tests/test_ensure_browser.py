"""`make test` sets up the browser tests' Chromium itself (scripts/ensure_browser.sh), or
stops before pytest with the one command to run."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ensure_browser.sh"


def test_it_stops_at_once_with_the_command_to_run_where_no_chromium_can_be_set_up(tmp_path):
    playwright = Path(sys.executable).parent / "playwright"
    # A machine with no chromium and no apt-get (PATH holds neither: the script needs only
    # bash builtins), none of Playwright's browsers (an empty browsers directory), and no
    # way to download one (nothing listens at the download host).
    environment = {
        "PATH": str(tmp_path / "bin"),
        "HOME": str(tmp_path),
        "PLAYWRIGHT": str(playwright),
        "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "browsers"),
        "PLAYWRIGHT_DOWNLOAD_HOST": "http://127.0.0.1:9",
    }
    finished = subprocess.run(
        ["/bin/bash", str(SCRIPT)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 1
    assert finished.stderr.endswith(
        "The browser tests need Chromium, and none could be installed here. Run:\n"
        f"    {playwright} install chromium   (it needs to download the browser)\n"
        "then run make test again.\n"
    )
    assert not any((tmp_path / "browsers").glob("chromium*"))


def test_it_sets_up_the_browser_before_make_test_runs_pytest():
    # Not as a sub-make of `make test`: that would print "Entering directory" lines.
    alone = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}
    planned = subprocess.run(
        ["make", "--no-print-directory", "--dry-run", "--always-make", "test"],
        cwd=ROOT,
        env=alone,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    setup = planned.index("PLAYWRIGHT=.venv/bin/playwright bash scripts/ensure_browser.sh")
    # pytest next, on every core (pytest-xdist).
    assert planned[setup + 1 :] == [".venv/bin/pytest --numprocesses=auto --dist=load"]
