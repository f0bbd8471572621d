"""The app in a real Chromium (Debian's /usr/bin/chromium through Playwright): ask, read the
clause card, like the answer, compare plans, and never fetch anything beyond loopback."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.ui.conftest import open_compare

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def test_ask_compare_and_stay_local(browser, ui_server):
    url, store = ui_server
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(url)
        page.get_by_role("tab", name="问答").wait_for()

        page.locator("#question textarea").fill("东城区孕产妇死亡率目标是多少")
        page.locator("#ask").click()
        bot = page.locator("#chatbot")
        card = bot.locator("details.clause-card").first
        card.wait_for(timeout=30_000)
        answer = unicodedata.normalize("NFKC", bot.inner_text()).replace(" ", "")
        assert "7/10万" in answer
        assert card.locator("mark").first.is_visible()  # the first card is open
        assert "东城区规划" in card.locator("summary").inner_text()
        page.screenshot(path=str(ARTIFACTS / "browser-chat.png"))

        before = len(store.all())
        bot.get_by_role("button", name="Like", exact=True).first.click()
        deadline = time.monotonic() + 10
        while len(store.all()) == before and time.monotonic() < deadline:
            time.sleep(0.2)
        rows = store.all()
        assert len(rows) == before + 1
        assert rows[-1]["question"] == "东城区孕产妇死亡率目标是多少" and rows[-1]["liked"] is True
        assert rows[-1]["citations"] and rows[-1]["citations"][0]["doc_id"] == "dongcheng"

        open_compare(page, "孕产妇死亡率")
        table = page.locator("#compare-table")
        for plan in ("北京市规划", "东城区规划", "西城区规划", "曾都区规划"):
            table.get_by_text(plan, exact=True).filter(visible=True).first.wait_for(timeout=20_000)
        page.screenshot(path=str(ARTIFACTS / "browser-compare.png"), full_page=True)
    finally:
        page.close()

    assert requests
    outside = [u for u in requests if urlparse(u).scheme not in ("data", "blob")
               and urlparse(u).hostname not in LOCAL_HOSTS]
    assert not outside, f"requests left loopback: {outside}"


def test_typed_markup_is_shown_literally_and_fetches_nothing(browser, ui_server):
    url, _ = ui_server
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    typed = ("![p](http://127.0.0.1:9/pixel.png) "
             '<a href="http://127.0.0.1:9/" style="position:fixed;inset:0;z-index:9999">点这里</a> 东城区孕产妇死亡率')
    try:
        page.goto(url)
        page.locator("#question textarea").fill(typed)
        page.locator("#ask").click()
        bot = page.locator("#chatbot")
        bot.locator("details.clause-card").first.wait_for(timeout=30_000)
        assert bot.locator("img[src*='pixel']").count() == 0
        assert bot.locator("a[style*='fixed']").count() == 0
        assert typed in bot.inner_text()
    finally:
        page.close()
    assert not [u for u in requests if ":9/" in u], "the typed image link was fetched"
