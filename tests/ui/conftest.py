"""One real engine and one running app per test session, shared by the ui tests."""

from __future__ import annotations

import os
import socket
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ui_engine(request, tmp_path_factory):
    """The `engine` fixture of tests/conftest.py when there is one, else the real engine on the
    repo's corpus built into a temporary index."""
    try:
        return request.getfixturevalue("engine")
    except pytest.FixtureLookupError:
        pass
    from assistant.config import Settings
    from assistant.engine import Engine

    settings = Settings.load(corpus_dir=ROOT / "corpus", index_dir=tmp_path_factory.mktemp("index"))
    return Engine.load(settings)


@pytest.fixture(scope="session")
def ui_app(ui_engine, tmp_path_factory):
    """(app, url, feedback store) of the app running on a free loopback port."""
    from assistant.feedback import FeedbackStore
    from ui.app import build_app, launch_options

    store = FeedbackStore(tmp_path_factory.mktemp("feedback") / "feedback.sqlite")
    app = build_app(ui_engine, feedback=store)
    app.queue(default_concurrency_limit=4)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
               share=False, **launch_options())
    try:
        yield app, f"http://127.0.0.1:{port}/", store
    finally:
        app.close()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright; the test is skipped, loudly, where it is missing."""
    if not CHROMIUM.exists():
        pytest.skip("!!! /usr/bin/chromium is missing: the browser test did NOT run. "
                    "Install it with `apt-get install -y chromium` (.ci/run does) !!!")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def ui_server(ui_app):
    """(url, feedback store) of the running app."""
    _, url, store = ui_app
    return url, store


def open_compare(page, indicator: str) -> None:
    """In a browser page of the app: the 对比 tab, with `indicator` chosen."""
    page.get_by_role("tab", name="对比").click()
    box = page.locator("#compare-indicator input")
    box.click()
    box.fill(indicator)
    page.get_by_role("option", name=indicator, exact=True).click()
