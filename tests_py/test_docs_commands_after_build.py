"""The scaling guide's commands run as written, in order, in a copy of the checkout after the
README's `make build` (conftest.built_checkout), where its reader is: its nightly build follows a
first one. A file of its own, so that pytest-xdist runs it beside the README's run
(test_docs_commands.py, which reads the blocks and their markers the same way)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_built_checkout
from test_docs_commands import AFTER_MAKE_BUILD, run_documents


@pytest.mark.docs
def test_every_command_of_the_scaling_guide_runs_after_make_build(built_checkout: Path, tmp_path: Path) -> None:
    run_documents(AFTER_MAKE_BUILD, copy_built_checkout(built_checkout, tmp_path / "checkout"))
