"""The docs are executed: every command of README.md, docs/scaling.md and docs/custom_segments.md
runs as written, in document order (marker `docs`; `make test` runs it): here the README and the
custom segments guide in one fresh copy of the checkout; the scaling guide in a copy of the
checkout after `make build` (test_docs_commands_after_build.py, side by side under pytest-xdist).

The Markdown says what each fenced block is, and this test reads it at run time:

- `sh`, `bash`, `shell`: commands, run with bash (`set -e -o pipefail`) from the checkout's root;
- `python`: run with `.venv/bin/python`;
- `crontab`: crontab lines; the command after the five schedule fields runs (not cron itself),
  after `logs/` is removed, as on the first night of a fresh clone;
- `text` (and `yaml`, `sql`, `json`, `csv`): output, a listing or a configuration, never run;
- no language: its lines that are clearly commands run, the others are taken as output.

An HTML comment on the line (or lines) right before a fence changes that, visibly:

- `<!-- illustrative: why -->`: the block is not run (a store's own paths, `make test` itself);
  the test prints every block it skips and checks they are exactly the marked ones;
- `<!-- docs test: "OLD" => "NEW", ...; why -->`: the block runs with each OLD replaced by NEW
  (a benchmark at L runs at S); each OLD must be in the block.

After each block, the commands it printed for a reader to paste (`open:` and `query:` lines of
`make build`) run too. A block that fails fails the test with its output.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import ROOT, copy_checkout, user_env

# Each document's commands run in order, as its reader types them. The README's reader starts from
# a fresh clone, and so does the custom segments guide's, whose preview the README built; the
# scaling guide's reader has run the README's `make build` (its nightly build follows a first
# one): tests_py/test_docs_commands_after_build.py runs it, in another pytest-xdist worker.
FROM_A_FRESH_CLONE = ("README.md", "docs/custom_segments.md")
AFTER_MAKE_BUILD = ("docs/scaling.md",)
DOCUMENTS = FROM_A_FRESH_CLONE + AFTER_MAKE_BUILD
SHELL = {"sh", "bash", "shell"}
NOT_COMMANDS = {"text", "yaml", "yml", "sql", "json", "csv"}
# Seconds one block may take: the benchmark at S is the longest (a few minutes).
BLOCK_TIMEOUT = 1800

FENCE = re.compile(r"^ {0,3}(```+)\s*([^`\s]*)\s*$")
COMMENT = re.compile(r"^\s*<!--\s*(.*?)\s*-->\s*$")
REPLACEMENT = re.compile(r'"([^"]+)"\s*=>\s*"([^"]*)"')
# Five cron schedule fields, then the command.
CRON_LINE = re.compile(r"^\s*(?:[\d*/,\-]+\s+){4}[\d*/,\-A-Za-z]+\s+(\S.*)$")
# A line of a block without language that is clearly a command.
COMMAND_LINE = re.compile(r"^\s*(?:\.venv/bin/|\./|make\b|dbt\b|mf\b|python3?\b|cd\b|mkdir\b|bash\b|git\b)")
# What a build prints for a reader to paste: `open:  <command>`, `query:  <command>`.
PRINTED_COMMAND = re.compile(r"^\s*(?:open|query):\s+(\.venv/bin/\S.*?)\s*$", re.MULTILINE)


@dataclass
class Block:
    document: str
    line: int  # of the opening fence, 1-based
    language: str
    text: str
    illustrative: str | None = None
    replacements: list[tuple[str, str]] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.document}:{self.line}"

    @property
    def is_output(self) -> bool:
        return self.language in NOT_COMMANDS or (self.language == "" and not command_lines(self.text))

    def script(self) -> str:
        """What runs: the block with its replacements, cron schedules and output lines removed."""
        text = self.text
        for old, new in self.replacements:
            if old not in text:
                raise ValueError(f"{self.where}: the docs test marker replaces {old!r}, which the block does not hold")
            text = text.replace(old, new)
        if self.language == "crontab":
            commands = []
            for line in text.splitlines():
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                command = cron_command(line)
                if command is None:
                    raise ValueError(f"{self.where}: not a crontab line: {line!r}")
                commands.append(command)
            return "\n".join(commands)
        if self.language == "":
            return "\n".join(command_lines(text))
        return text


def cron_command(line: str) -> str | None:
    """The command of a crontab line, run as on the first night of a fresh clone (no `logs/` yet)."""
    match = CRON_LINE.match(line)
    return None if match is None else "rm -rf logs\n" + match.group(1)


def command_lines(text: str) -> list[str]:
    """The lines of a block without language that are commands, with their continuation lines."""
    lines: list[str] = []
    continuing = False
    for line in text.splitlines():
        if continuing or COMMAND_LINE.match(line):
            lines.append(line)
        elif (command := cron_command(line)) is not None:
            lines.append(command)
        else:
            continue
        continuing = line.rstrip().endswith("\\")
    return lines


def fenced_blocks(document: str, markdown: str) -> list[Block]:
    """Every fenced block of a Markdown text, with the markers on the lines before its fence."""
    lines = markdown.splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, language = opening.groups()
        end = index + 1
        while end < len(lines) and not re.match(rf"^ {{0,3}}{fence}\s*$", lines[end]):
            end += 1
        block = Block(document, index + 1, language.lower(), "\n".join(lines[index + 1:end]))
        before = index - 1
        while before >= 0 and COMMENT.match(lines[before]):
            note = COMMENT.match(lines[before]).group(1)  # type: ignore[union-attr]
            if note.startswith("illustrative:"):
                block.illustrative = note.removeprefix("illustrative:").strip()
                if not block.illustrative:
                    raise ValueError(f"{block.where}: an illustrative block says why")
            elif note.startswith("docs test:"):
                block.replacements += REPLACEMENT.findall(note)
                if not block.replacements:
                    raise ValueError(f'{block.where}: a docs test marker holds "OLD" => "NEW" pairs')
            before -= 1
        blocks.append(block)
        index = end + 1
    return blocks


MARKERS = ("illustrative:", "docs test:")


def marked_fences(document: str, markdown: str, kind: str) -> list[tuple[str, str | None]]:
    """Each marker of `kind` and the fence it marks (None when no fence follows it), read from the
    raw lines, apart from fenced_blocks."""
    lines = markdown.splitlines()
    marked: list[tuple[str, str | None]] = []
    for number, line in enumerate(lines):
        match = COMMENT.match(line)
        if match is None or not match.group(1).startswith(kind):
            continue
        after = number + 1
        while after < len(lines) and COMMENT.match(lines[after]):
            after += 1
        fence = f"{document}:{after + 1}" if after < len(lines) and FENCE.match(lines[after]) else None
        marked.append((f"{document}:{number + 1}", fence))
    return marked


def markers_without_a_fence(document: str, markdown: str) -> list[str]:
    """Markers that are not right before a fence: they would mark nothing."""
    return [marker for kind in MARKERS for marker, fence in marked_fences(document, markdown, kind) if fence is None]


def check_known_language(block: Block) -> None:
    if block.language not in SHELL | NOT_COMMANDS | {"python", "crontab", ""}:
        raise ValueError(f"{block.where}: fence language {block.language!r} is neither a command "
                         f"({', '.join(sorted(SHELL))}, python, crontab) nor output ({', '.join(sorted(NOT_COMMANDS))})")


# ------------------------------------------------------------------------------------------
# How the Markdown is read (no build)
# ------------------------------------------------------------------------------------------

SAMPLE = '''# Sample

```sh
make build   # a comment
```

```
Segment tables built in /path
  open:  duckdb x
```

<!-- illustrative: a store's own folder -->
```sh
.venv/bin/dbt build --vars '{segments__raw_path: /data/exports}'
```

<!-- docs test: "--scale L" => "--scale S", "data/L" => "data/S"; L takes an hour -->
```sh
.venv/bin/segments benchmark --scale L --data-dir data/L
```

```crontab
0 3 * * *  cd /srv/segments && make build >> logs/nightly.log 2>&1
```

```
make report
.venv/bin/segments x \\
    --flag
models/   the models
```

```text
make build
```
'''


def test_blocks_are_read_with_their_markers() -> None:
    blocks = fenced_blocks("sample.md", SAMPLE)
    assert [b.line for b in blocks] == [3, 7, 13, 18, 22, 26, 33]
    build, output, store, benchmark, cron, unlabeled, text = blocks
    assert build.script() == "make build   # a comment" and not build.is_output
    assert output.is_output and text.is_output
    assert store.illustrative == "a store's own folder"
    assert benchmark.script() == ".venv/bin/segments benchmark --scale S --data-dir data/S"
    assert cron.script() == "rm -rf logs\ncd /srv/segments && make build >> logs/nightly.log 2>&1"
    assert unlabeled.script() == "make report\n.venv/bin/segments x \\\n    --flag"
    assert markers_without_a_fence("sample.md", SAMPLE) == []


def test_a_marker_that_marks_nothing_or_replaces_nothing_is_an_error() -> None:
    stray = "<!-- illustrative: nothing follows -->\n\nSome text.\n"
    assert markers_without_a_fence("stray.md", stray) == ["stray.md:1"]
    stale = '<!-- docs test: "--scale L" => "--scale S" -->\n```sh\nmake build\n```\n'
    with pytest.raises(ValueError, match="does not hold"):
        fenced_blocks("stale.md", stale)[0].script()
    with pytest.raises(ValueError, match="says why"):
        fenced_blocks("why.md", "<!-- illustrative: -->\n```sh\nmake test\n```\n")
    with pytest.raises(ValueError, match="neither a command"):
        check_known_language(fenced_blocks("lang.md", "```console\nmake build\n```\n")[0])


def test_the_documents_mark_every_block_they_do_not_run() -> None:
    """Fast: each document's blocks are all of a known kind, and every marker marks a block."""
    for document in DOCUMENTS:
        markdown = (ROOT / document).read_text()
        assert markers_without_a_fence(document, markdown) == []
        for block in fenced_blocks(document, markdown):
            check_known_language(block)
            if not block.is_output and not block.illustrative:
                block.script()


# ------------------------------------------------------------------------------------------
# The documents, executed
# ------------------------------------------------------------------------------------------


@dataclass
class Ran:
    where: str
    command: str
    seconds: float


def run_block(checkout: Path, block: Block) -> subprocess.CompletedProcess[str]:
    if block.language == "python":
        command = [str(checkout / ".venv" / "bin" / "python"), "-c", block.script()]
    else:
        command = ["bash", "-e", "-o", "pipefail", "-c", block.script()]
    return run(checkout, command)


def run(checkout: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=checkout, env=user_env(), capture_output=True, text=True, check=False, timeout=BLOCK_TIMEOUT
    )


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")), "")


def run_documents(documents: tuple[str, ...], checkout: Path) -> None:
    """Every command block of `documents`, in order, in `checkout`, as their reader types them."""
    started = time.monotonic()
    ran: list[Ran] = []
    skipped: list[Block] = []
    marked: list[str | None] = []
    printed_commands_run: set[str] = set()
    for document in documents:
        markdown = (checkout / document).read_text()
        assert markers_without_a_fence(document, markdown) == []
        marked += [fence for _, fence in marked_fences(document, markdown, "illustrative:")]
        for block in fenced_blocks(document, markdown):
            check_known_language(block)
            if block.illustrative:
                skipped.append(block)
                continue
            if block.is_output:
                continue
            block_started = time.monotonic()
            result = run_block(checkout, block)
            ran.append(Ran(block.where, first_line(block.text), time.monotonic() - block_started))
            assert result.returncode == 0, (
                f"{block.where} failed (exit {result.returncode}):\n{block.script()}\n"
                f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
            )
            for printed in PRINTED_COMMAND.findall(result.stdout):
                if printed in printed_commands_run:
                    continue
                printed_commands_run.add(printed)
                hint_started = time.monotonic()
                hint = run(checkout, ["bash", "-e", "-c", printed])
                ran.append(Ran(f"{block.where} (printed)", printed, time.monotonic() - hint_started))
                assert hint.returncode == 0, (
                    f"the command {block.where} printed fails:\n{printed}\n{hint.stdout[-2000:]}\n{hint.stderr[-2000:]}"
                )

    print(f"\nRan {len(ran)} commands of {', '.join(documents)} in {time.monotonic() - started:.0f} s:")
    for entry in ran:
        print(f"  {entry.seconds:7.1f} s  {entry.where:<28} {entry.command[:100]}")
    print(f"Skipped {len(skipped)} blocks marked illustrative:")
    for block in skipped:
        print(f"  {block.where:<28} {first_line(block.text)[:70]}  ({block.illustrative})")
    # Nothing is skipped silently: every block not run is marked, or is output.
    assert [b.where for b in skipped] == marked
    assert ran, "no command of the docs ran"
    assert printed_commands_run, "make build printed no command for a reader (open: ...) to check"
    # Passed: free the disk (the generated data, the databases); a failed run keeps it to look at.
    shutil.rmtree(checkout, ignore_errors=True)


@pytest.mark.docs
def test_every_command_of_the_readme_and_the_custom_segments_guide_runs_from_a_fresh_clone(tmp_path: Path) -> None:
    run_documents(FROM_A_FRESH_CLONE, copy_checkout(tmp_path / "checkout"))
