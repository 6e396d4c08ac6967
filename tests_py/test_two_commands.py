"""The README's two commands in one checkout: `make build`, then the checks of `make test` (lint
and dbt build with every test) must pass on what the build left behind. The lint once depended
on it: sqlfluff's dbt templater rendered the incremental branches of models whose tables the
build had created. Slow (a build, a lint and a full build with tests: about three minutes)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Variables of an enclosing run (e.g. `make pytest`, or a developer's shell) that would point the
# copy at another database, profile or make invocation.
OUTER_VARIABLES = (
    "SEGMENTS_DUCKDB_PATH", "DBT_PROFILES_DIR", "DBT_TARGET_PATH", "DBT_LOG_PATH",
    "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
)


def copy_checkout(destination: Path) -> None:
    """The tracked files of the working tree (with their uncommitted changes), and this venv."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (destination / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    # The venv is shared with the checkout under test: the Makefile must not recreate it.
    os.utime(destination / "requirements.txt", (0, 0))


def make(checkout: Path, target: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in OUTER_VARIABLES}
    return subprocess.run(
        # -o: never remake the venv's install stamp, even when it is missing.
        ["make", "-o", ".venv/bin/.installed", target],
        cwd=checkout, env=env, capture_output=True, text=True, check=False,
    )


def test_lint_and_dbt_test_pass_after_make_build_in_the_same_checkout(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    copy_checkout(checkout)
    for target in ("build", "lint", "dbt-test"):
        result = make(checkout, target)
        assert result.returncode == 0, f"make {target} failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    assert (checkout / "segments.duckdb").exists(), "make build did not write the checkout's own database"
