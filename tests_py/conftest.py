"""Put the repository root and the package's src/ on sys.path so tests import `store_segments`
before it is installed (and on PYTHONPATH, for the commands and dbt runs they start), and build
the demo once per session for every test module that reads the built tables."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
for folder in (ROOT, SRC):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
# This checkout's package first, also where the venv holds another checkout's install: the dbt
# Python models import it in dbt's process.
if str(SRC) not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (str(SRC), os.environ.get("PYTHONPATH"))))

DBT = Path(sys.executable).with_name("dbt")


def dbt_env(database: Path) -> dict[str, str]:
    """The environment of a dbt run against `database`, isolated from the developer's own."""
    return {
        **os.environ,
        "SEGMENTS_DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


# Variables of an enclosing run (e.g. `make pytest`, or a developer's shell) that would point a
# fresh checkout at another database, profile or make invocation.
OUTER_VARIABLES = (
    "SEGMENTS_DUCKDB_PATH", "DBT_PROFILES_DIR", "DBT_TARGET_PATH", "DBT_LOG_PATH",
    "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
)


def user_env() -> dict[str, str]:
    """The environment of a user's shell in a fresh checkout: none of the enclosing run's variables."""
    return {k: v for k, v in os.environ.items() if k not in OUTER_VARIABLES}


def make(checkout: Path, target: str) -> subprocess.CompletedProcess[str]:
    """`make TARGET` in `checkout`, as a user's shell runs it there."""
    return run_make(checkout, target)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
BROWSER_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000",
    # No network: the pages must open offline.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def chromium_driver(test: str) -> object:
    """Headless Chromium driven by selenium (marker `browser`). An alert stays open, for the test to
    see it (`driver.switch_to.alert`), instead of failing the next command. Skipped with a message
    where Chromium or chromedriver is missing, except in CI, which installs them."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run {test}: .ci/run installs chromium and chromium-driver")
        pytest.skip(f"no Chromium and chromedriver found: install the Debian packages chromium and chromium-driver "
                    f"(.ci/run does) to run {test}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in BROWSER_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={Path(os.environ.get('TMPDIR', '/tmp')) / f'test-chromium-{os.getpid()}'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.set_capability("unhandledPromptBehavior", "ignore")
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def copy_project(target: Path) -> Path:
    """The project's files (tracked and new, not ignored) copied into `target`, to edit its seeds."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


Built = TypeVar("Built")


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Built]) -> Built:
    """`build(folder)` once per test run, also when pytest-xdist runs the tests in several worker
    processes (`make pytest` does): the first worker to ask builds into a folder the run's workers
    share, under a lock, and the others wait for it and read what it returned. A failed build fails
    every test that asks for it with the same message, without building again."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return build(tmp_path_factory.mktemp(name))
    # The run's own temporary folder; each worker's basetemp is a folder inside it.
    shared = tmp_path_factory.getbasetemp().parent
    folder, answer, failure = shared / name, shared / f"{name}.pickle", shared / f"{name}.failed"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failure.exists():
            pytest.fail(failure.read_text(), pytrace=False)
        if not answer.exists():
            folder.mkdir()
            try:
                built = build(folder)
            except BaseException as error:
                failure.write_text(f"{name} failed in another worker: {error}")
                raise
            answer.write_bytes(pickle.dumps(built))
    return pickle.loads(answer.read_bytes())


def build_database(work: Path) -> Path:
    """Seeds and models (no tests: `make test` runs those) into a fresh DuckDB file in `work`."""
    database = work / "segments.duckdb"
    result = subprocess.run(
        [
            str(DBT), "build",
            "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        ],
        cwd=ROOT, env=dbt_env(database), check=False, capture_output=True, text=True,
    )
    assert result.returncode == 0, f"dbt build failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    return database


@pytest.fixture(scope="session")
def built_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's seeds and models in a DuckDB file, built once per run."""
    return built_once(tmp_path_factory, "demo_build", build_database)


def parse_project(work: Path) -> Path:
    """target/manifest.json of a `dbt parse` of the project with its default vars, in `work`."""
    result = subprocess.run(
        [str(DBT), "parse", "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        cwd=ROOT, env=dbt_env(work / "parse.duckdb"), capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, f"dbt parse failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    return work / "target" / "manifest.json"


@pytest.fixture(scope="session")
def parsed_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """target/manifest.json of one `dbt parse` (default vars) per run, in a throw-away target
    path. Each reader loads its own copy (json.loads), so no test sees another's edits."""
    return built_once(tmp_path_factory, "parse", parse_project)


@pytest.fixture(scope="session")
def custom_segment_examples_build(built_database: Path, tmp_path_factory: pytest.TempPathFactory) -> object:
    """The documented custom segment examples and the benchmark's, built once per run on a copy of
    built_database (tests_py/custom_segment_examples.py)."""
    from tests_py.custom_segment_examples import build_examples

    return built_once(tmp_path_factory, "custom_segment_examples", lambda work: build_examples(built_database, work))


def copy_checkout(destination: Path) -> Path:
    """The project's files copied into `destination`, sharing this test run's venv as `.venv`, so
    that the README's make targets run there as a user would run them in a fresh clone."""
    copy_project(destination)
    (destination / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    # The venv is shared with the checkout under test: the Makefile must not recreate it.
    os.utime(destination / "requirements.txt", (0, 0))
    return destination


@pytest.fixture(scope="session")
def built_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copied checkout after `make build` with the default vars, run once per session: the work
    database with its backfilled history, published/ serving one snapshot, target/ and logs/ as a
    user's first build leaves them. Read it only: a test that builds, edits or publishes there takes
    its own copy first (copy_built_checkout)."""
    return built_once(tmp_path_factory, "built_checkout", build_checkout)


def build_checkout(work: Path) -> Path:
    """A copied checkout in `work` after `make build`."""
    path = copy_checkout(work / "checkout")
    result = run_make(path, "build")
    assert result.returncode == 0, f"make build failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    return path


def copy_built_checkout(built_checkout: Path, destination: Path) -> Path:
    """A copy of built_checkout that a test may change: every file (the databases and snapshots
    included, seconds where a build takes minutes), links kept as links so that published/ serves
    the copy's own snapshot."""
    shutil.copytree(built_checkout, destination, symlinks=True)
    return destination


def run_make(checkout: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`make <arguments>` in a copied checkout, with none of the enclosing run's variables."""
    return subprocess.run(
        # -o: never remake the venv's install stamp, even when it is missing.
        ["make", "-o", ".venv/bin/.installed", *arguments],
        cwd=checkout, env=user_env(), capture_output=True, text=True, check=False,
    )


# The files that take longest (measured with --durations), longest first: `make pytest` hands
# files to its workers in collection order (--no-loadscope-reorder), so these start first and
# the short ones fill in around them, instead of a long file starting last on its own.
LONGEST_FIRST = (
    "test_docs_commands.py", "test_build_gate.py", "test_diff.py", "test_docs_commands_after_build.py",
    "test_byod_incremental.py", "test_activation_snapshots.py", "test_raw_loading.py",
    "test_build_under_vars.py", "test_replay.py", "test_dirty_rows.py", "test_integration_project.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)
