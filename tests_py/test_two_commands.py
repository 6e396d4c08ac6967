"""The README's two commands in one checkout: `make build`, then the checks of `make test` (lint
and dbt build with every test) must pass on what the build left behind. The lint once depended
on it: sqlfluff's dbt templater rendered the incremental branches of models whose tables the
build had created. Slow (a build, a lint and a full build with tests: about three minutes)."""

from __future__ import annotations

from pathlib import Path

from conftest import copy_checkout, make


def test_lint_and_dbt_test_pass_after_make_build_in_the_same_checkout(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    copy_checkout(checkout)
    for target in ("build", "lint", "dbt-test"):
        result = make(checkout, target)
        assert result.returncode == 0, f"make {target} failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    assert (checkout / "segments.duckdb").exists(), "make build did not write the checkout's own database"
