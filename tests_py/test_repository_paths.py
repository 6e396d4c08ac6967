"""Nothing in the repository points outside it: no tracked file names a folder beside the clone
(`../shared/...`) or an absolute path of the machine it was written on (`/work/...`, the
checkout's own folder). A fresh clone has neither, so such a link or command breaks for its user."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT


def forbidden_paths(root: Path) -> list[str]:
    """What a tracked file must not hold: the sibling folder of the steering files, the folder
    this machine keeps checkouts in, and this checkout's own absolute path and its parent's."""
    paths = ["../shared", "/work/"]
    for folder in (root, root.parent):
        if len(folder.parts) > 2:
            paths.append(f"{folder}/")
    return paths


def offending_lines(text: str, paths: list[str]) -> list[str]:
    pattern = re.compile("|".join(re.escape(path) for path in paths))
    return [f"{number}: {line.strip()}" for number, line in enumerate(text.splitlines(), 1) if pattern.search(line)]


def test_the_check_finds_a_sibling_folder_and_an_absolute_path() -> None:
    paths = forbidden_paths(Path("/srv/clones/segments"))
    text = "The contract is `../shared/SPEC.md`.\nrun /srv/clones/segments/src/store_segments/cli.py\nsee docs/definitions.md\n"
    assert offending_lines(text, paths) == [
        "1: The contract is `../shared/SPEC.md`.", "2: run /srv/clones/segments/src/store_segments/cli.py"]
    assert offending_lines("open /work/main/README.md\n", paths) == ["1: open /work/main/README.md"]


def test_no_tracked_file_points_outside_the_repository() -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    paths = forbidden_paths(ROOT)
    found = {}
    # This file spells the paths it looks for.
    this_file = Path(__file__).resolve().relative_to(ROOT).as_posix()
    for name in filter(None, listed.stdout.split("\0")):
        if name == this_file:
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary, or deleted in the working tree
        if lines := offending_lines(text, paths):
            found[name] = lines
    assert found == {}, f"tracked files point outside the repository ({', '.join(paths)}): {found}"
