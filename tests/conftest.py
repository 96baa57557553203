"""Shared fixtures: paths, a loopback-only environment, and the headless Chromium browser.

Fixtures follow Flask's tutorial shape (app → client) with the instance folder in ``tmp_path``.
Protocol peers are real servers on 127.0.0.1; nothing here reaches beyond loopback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.conformance import SAMPLES

# The managed Virtuoso server, one per test session (every store suite runs against it too).
pytest_plugins = ["tests.support.virtuoso_fixtures"]

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
CHROMIUM = "/usr/bin/chromium"
# Flags the machines here need: no background network (connections are refused), no sandbox as root.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture
def http() -> Iterator[object]:
    """A harvest HTTP session that may reach loopback (where the tests' feeds run), without retries."""
    from harvesters.guard import FeedGuard
    from harvesters.http import GuardedSession, RetryPolicy

    session = GuardedSession(FeedGuard(["127.0.0.0/8"]), timeout=10, retry=RetryPolicy(max_retries=0))
    try:
        yield session
    finally:
        session.close()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"conformance data not present: {SAMPLES} (it is in CI; see README)")
    return SAMPLES


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty instance folder, also set as $SROM_HOME for code and subprocesses that read it."""
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("SROM_HOME", str(folder))
    monkeypatch.setenv("SROM_ALLOWED_FEED_NETWORKS", "127.0.0.0/8")
    # Retries keep their count but not their waiting: a refused connection must not cost 31 s a test.
    monkeypatch.setenv("SROM_HARVEST_BACKOFF", "0.01")
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser build)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run installs the Debian package 'chromium'")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context()
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def oxigraph_executable() -> str:
    import sys

    candidate = Path(sys.executable).with_name("oxigraph")
    return str(candidate) if candidate.exists() else (shutil.which("oxigraph") or "oxigraph")
