"""Browser-test fixtures: a page on a fresh context (the `browser` fixture is in tests/conftest.py), screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 760}, device_scale_factor=1)
    # Everything the tests start is on 127.0.0.1; anything else would be a bug, so it is refused.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        ("http://127.0.0.1", "data:", "about:")) else route.abort())
    context.set_default_timeout(15_000)
    found = context.new_page()
    yield found
    context.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a test's screenshots go: $XMPLAN_TEST_ARTIFACTS/<test>, else a pytest temp folder."""
    root = os.environ.get("XMPLAN_TEST_ARTIFACTS")
    base = Path(root) if root else Path(tmp_path_factory.getbasetemp()) / "screenshots"
    name: str = request.node.name
    folder = base / name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
