"""Shared fixtures: the real plan exports in ../shared/corpus/plans, when that folder exists."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from xmplan._cli import main
from xmplan._runtime.engine import Engine
from xmplan._runtime.engines import available_engines, get_engine

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "plans"


def xmplan_cli(*argv: str) -> tuple[int, str, str]:
    """`xmplan ARGV...` in this process: its exit status, standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def corpus_rows() -> list[dict[str, str]]:
    """INDEX.tsv rows, one per corpus zip; empty where ../shared is absent."""
    index = CORPUS / "INDEX.tsv"
    if not index.is_file():
        return []
    with index.open(encoding="utf-8", newline="") as stream:
        return [row for row in csv.DictReader(stream, delimiter="\t") if (CORPUS / row["file"]).is_file()]


def corpus_params(producer: str | None = None, where=lambda row: True) -> list:
    """pytest params of corpus zip paths (ids are file names); one skipped param when absent."""
    rows = [r for r in corpus_rows() if (producer is None or r["zip_producer"] == producer) and where(r)]
    if not rows:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/corpus/plans is not here"))]
    return [pytest.param(CORPUS / r["file"], id=r["file"].removesuffix(".zip"), marks=pytest.mark.corpus)
            for r in rows]


# Warnings per rule and plan over the corpus plans test_validate.py validated (rule -> plan -> count),
# printed as a table at the end of the run: in the terminal summary, so `pytest -q` shows it too.
CORPUS_WARNINGS = pytest.StashKey[dict[str, Counter[str]]]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    counts = config.stash.get(CORPUS_WARNINGS, None)
    if not counts:
        return
    terminalreporter.section("corpus warnings per rule")
    width = max(len(rule) for rule in counts)
    terminalreporter.write_line(f"{'rule':<{width}}  warnings  plans")
    for rule, plans in sorted(counts.items()):
        terminalreporter.write_line(f"{rule:<{width}}  {sum(plans.values()):>8}  {len(plans):>5}")
    every = Counter[str]()
    for plans in counts.values():
        every.update(plans)
    terminalreporter.write_line(f"{'all':<{width}}  {sum(every.values()):>8}  {len(every):>5}")


@pytest.fixture(scope="session", autouse=True)
def _private_translation_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The js2py translation cache and its key live in a temporary folder: the suite writes nothing
    into ~ (set for the session, before any worker process starts, as workers inherit it)."""
    folder = tmp_path_factory.mktemp("xmplan-cache")
    names = {"XMPLAN_CACHE_DIR": folder / "cache", "XMPLAN_CACHE_KEY": folder / "key" / "cache.key"}
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update({name: str(path) for name, path in names.items()})
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session", autouse=True)
def _user_folders_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Programs the tests start (Chromium writes ~/.config/chromium and ~/.cache/dconf) get
    temporary XDG folders: the suite leaves HOME as it found it."""
    folder = tmp_path_factory.mktemp("xdg")
    names = {name: folder / name.lower() for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")}
    with pytest.MonkeyPatch.context() as patch:
        for name, path in names.items():
            path.mkdir()
            patch.setenv(name, str(path))
        yield


# Headless Chromium for the tests marked `browser` (Debian's chromium, driven by Playwright; never
# downloaded), shared by tests/e2e and tests/addon.
CHROMIUM = os.environ.get("XMPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _missing(reason: str) -> None:
    # CI must run every browser test: there a missing browser is a failure, not a skip.
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped)")
    pytest.skip(reason)


# Module scope: Playwright's sync API allows one running instance per thread, and other test folders
# start their own; a session-wide one would still be running when theirs start.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(params=available_engines())
def engine_name(request: pytest.FixtureRequest) -> str:
    """Each JavaScript engine this Python has (js2py needs 3.11 or older; QuickJS runs everywhere)."""
    return request.param


@pytest.fixture
def engine(engine_name: str) -> Engine:
    """Each JavaScript engine, as `Runtime` gets it (`get_engine`)."""
    return get_engine(engine_name)


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/plans is not here")
    return CORPUS
