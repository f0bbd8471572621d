"""Daily staff use in a real Chromium (Debian's /usr/bin/chromium through Playwright), at desktop
(1440×900) and phone (390×844) sizes: clearing resets the conversation, citations open and copy as
plain text, tables scroll on phones, the targets table's 依据 column and named downloads, feedback
with a comment and its export, the conversation download; nothing leaves 127.0.0.1."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.ui.conftest import open_compare

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
ANSWER_TIMEOUT_MS = 30_000  # a first answer on a busy 2-core CI machine
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
Q = "东城区孕产妇死亡率目标是多少"
COMPARE_Q = "西城区和东城区的婴儿死亡率目标有什么不同？"


@pytest.fixture(scope="module")
def requests_seen():
    seen: list[str] = []
    yield seen
    outside = [u for u in seen if urlparse(u).scheme not in ("data", "blob") and urlparse(u).hostname not in LOCAL_HOSTS]
    assert seen and not outside, f"requests left loopback: {outside}"


@pytest.fixture(scope="module")
def contexts(browser, ui_server, requests_seen):
    url, _ = ui_server
    made = {}
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        ctx = browser.new_context(viewport=viewport, accept_downloads=True)
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
        ctx.on("request", lambda r: requests_seen.append(r.url))
        made[name] = ctx
    yield made
    for ctx in made.values():
        ctx.close()


def open_app(contexts, ui_server, size="desktop"):
    page = contexts[size].new_page()
    page.goto(ui_server[0])
    page.locator("#question textarea").wait_for()
    return page


def ask(page, question: str, answers_before: int | None = None):
    """Type and send a question; wait for its answer; return the last assistant message."""
    bot = page.locator("#chatbot")
    n = bot.locator(".message.bot").count() if answers_before is None else answers_before
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()
    page.wait_for_function(f"document.querySelectorAll('#chatbot .message.bot').length > {n}", timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_function("!document.querySelector('#ask').disabled", timeout=ANSWER_TIMEOUT_MS)
    return bot.locator(".message.bot").last


def wait_text(locator, text: str, timeout_s: float = 10) -> str:
    deadline = time.monotonic() + timeout_s
    got = ""
    while time.monotonic() < deadline:
        got = locator.inner_text()
        if text in got:
            return got
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in {got!r}")


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("how", ["trash", "new-chat"])
def test_every_clear_resets_the_conversation(contexts, ui_server, size, how):
    page = open_app(contexts, ui_server, size)
    try:
        ask(page, Q)
        state = page.locator("#state-line")
        line = wait_text(state, "孕产妇死亡率")
        assert "东城区" in line
        if how == "trash":
            page.locator("#chatbot").get_by_role("button", name="Clear").click()
        else:
            page.locator("#new-chat").click()
        page.wait_for_function("document.querySelectorAll('#chatbot .message.bot').length === 0")
        page.wait_for_function("document.querySelector('#state-line').innerText.trim() === ''")
        follow = ask(page, "那西城区呢？", answers_before=0)
        assert "孕产妇死亡率" not in follow.inner_text()  # not answered against the cleared conversation
    finally:
        page.close()


def test_cards_open_and_copy_as_plain_text(contexts, ui_server):
    page = open_app(contexts, ui_server)
    try:
        msg = ask(page, Q)
        card = msg.locator("details.clause-card").first
        card.locator("summary").click()  # close it, then let the inline label open it again
        assert card.get_attribute("open") is None
        link = msg.locator("a.cite-link").first
        assert link.get_attribute("href") == f"#{card.get_attribute('id')}"
        link.click()
        page.wait_for_function(f"document.getElementById('{card.get_attribute('id')}').open")
        assert card.locator("mark").first.is_visible()

        msg = ask(page, COMPARE_Q)
        cards = msg.locator("details.clause-card")
        assert cards.count() == 2
        assert cards.nth(0).get_attribute("open") is not None and cards.nth(1).get_attribute("open") is None
        ids = [cards.nth(i).get_attribute("id") for i in range(2)]
        assert len(set(ids)) == 2  # one card per clause

        page.locator("#copy-answer").click()
        page.wait_for_function("window.__planqa_copied")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.evaluate("window.__planqa_copied")
        assert "<" not in copied and "clause-card" not in copied
        assert "婴儿死亡率" in copied and "东城区规划\t" in copied  # the table as tab-separated cells
        assert "出处：\n「" in copied and "」〔西城区规划 · " in copied and "」〔东城区规划 · " in copied
    finally:
        page.close()


def test_phone_tables_scroll_inside_their_box(contexts, ui_server):
    page = open_app(contexts, ui_server, "phone")
    try:
        msg = ask(page, COMPARE_Q)
        table = msg.locator("table").first
        box = table.evaluate("t => ({sw: t.scrollWidth, cw: t.clientWidth, right: t.getBoundingClientRect().right})")
        assert box["sw"] > box["cw"] and box["right"] <= PHONE["width"]  # scrolls sideways, stays on screen
        cell = msg.locator("td").first.evaluate("td => td.getBoundingClientRect().width")
        assert cell >= 60  # not one character a line
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "browser-chat-phone.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.get_by_role("tab", name="目标表").click()
        targets = page.locator("#targets-table")
        cell = targets.get_by_text("规划总则").filter(visible=True).first
        cell.wait_for(timeout=20_000)
        assert cell.evaluate("c => c.getBoundingClientRect().width") >= 40  # body cells too, not a character wide
        head = targets.locator("th").filter(has_text="责任主体").first
        assert head.evaluate("th => th.getBoundingClientRect().height") < 60  # headers on one or two lines
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        open_compare(page, "孕产妇死亡率")
        svg = page.locator(".bar-chart svg")
        svg.wait_for(timeout=20_000)
        assert svg.evaluate("s => s.getBoundingClientRect().right") <= PHONE["width"]
    finally:
        page.close()


def test_targets_basis_column_and_named_download(contexts, ui_server, tmp_path):
    from openpyxl import load_workbook

    page = open_app(contexts, ui_server)
    try:
        page.get_by_role("tab", name="目标表").click()
        targets = page.locator("#targets-table")
        assert targets.locator("th").filter(has_text="依据").count() >= 1
        targets.get_by_text("规划总则").filter(visible=True).first.wait_for(timeout=20_000)
        page.locator("#targets-plan input").click()
        page.get_by_role("option", name="东城区规划", exact=True).click()
        page.wait_for_function("document.querySelector('#targets-table').innerText.indexOf('西城区规划') < 0",
                               timeout=20_000)
        with page.expect_download() as dl:
            page.get_by_role("button", name="下载 Excel").click()
        assert dl.value.suggested_filename == "东城区规划_规划目标.xlsx"
        dl.value.save_as(tmp_path / "t.xlsx")
        ws = load_workbook(tmp_path / "t.xlsx").active
        assert ws.freeze_panes == "A2" and "依据" in [c.value for c in ws[1]] and ws["L2"].value  # 条款 label per row
    finally:
        page.close()


def test_dislike_with_comment_then_export_and_take_back(contexts, ui_server, capsys):
    from assistant.cli import main

    url, store = ui_server
    page = open_app(contexts, ui_server)
    try:
        msg = ask(page, Q)
        before = len(store.all())
        page.locator("#chatbot").get_by_role("button", name="Dislike").last.click()
        page.locator("#comment textarea").wait_for()
        toast = page.get_by_text("已记录反馈").first
        toast.wait_for(timeout=10_000)
        title = page.locator(".toast-title.info").first  # the toast's title speaks Chinese
        assert title.evaluate("t => getComputedStyle(t, '::before').content") == '"提示"'
        assert title.evaluate("t => getComputedStyle(t).fontSize") == "0px"  # Gradio's own "Info" hidden
        page.locator("#comment textarea").fill("引用的条款不全")
        page.locator("#comment-send").click()
        deadline = time.monotonic() + 10
        while not (store.all() and store.all()[-1]["comment"]) and time.monotonic() < deadline:
            time.sleep(0.2)
        row = store.all()[-1]
        assert len(store.all()) == before + 1 and row["liked"] is False and row["comment"] == "引用的条款不全"
        assert main(["feedback", "--feedback", str(store.path), "--format", "csv"]) == 0
        out = capsys.readouterr().out
        assert "引用的条款不全" in out and Q in out and "〔东城区规划 · " in out

        page.locator("#chatbot").get_by_role("button", name="Disliked").last.click()  # the same thumb again takes the vote back
        deadline = time.monotonic() + 10
        while len(store.all()) != before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(store.all()) == before
    finally:
        page.close()


def test_small_things_and_conversation_download(contexts, ui_server):
    from docx import Document

    page = open_app(contexts, ui_server)
    try:
        page.locator("#ask").click()  # empty: says so
        page.get_by_text("请先输入问题").first.wait_for(timeout=10_000)

        # the ask button is disabled and says 回答中… while an answer is pending
        page.evaluate("""() => { window.__busy = false; const b = document.querySelector('#ask');
            new MutationObserver(() => { if (b.disabled && b.innerText.includes('回答中')) window.__busy = true; })
              .observe(b, {attributes: true, childList: true, subtree: true, characterData: true}); }""")
        ask(page, "西城区孕产妇死亡率目标是多少")
        assert page.evaluate("window.__busy")

        page.get_by_text("北京市规划中妇女与健康领域的主要目标有哪些？").first.click()  # an example asks at once
        page.wait_for_function("document.querySelectorAll('#chatbot .message.bot').length >= 2", timeout=ANSWER_TIMEOUT_MS)
        typed = "**东城区**<b>孕产妇</b>"
        ask(page, typed)
        assert typed in page.locator("#chatbot .message.user").last.inner_text()  # shown as typed
        page.wait_for_function("!document.querySelector('#download-docx').disabled")

        with page.expect_download() as dl:
            page.locator("#download-docx").click()
        paras = [p.text for p in Document(dl.value.path()).paragraphs]
        assert "问题 1：西城区孕产妇死亡率目标是多少" in paras
        assert any(p.startswith("问题 2：北京市规划中妇女与健康领域") for p in paras)
        with page.expect_download() as dl:
            page.locator("#download-md").click()
        text = Path(dl.value.path()).read_text(encoding="utf-8")
        assert "## 问题 1：西城区孕产妇死亡率目标是多少" in text and "〔西城区规划 · " in text

        page.get_by_role("tab", name="规划浏览").click()
        page.locator("#plan-find input, #plan-find textarea").first.fill("母乳喂养")
        page.wait_for_function("document.querySelector('#plan-clause').innerText.includes('阅读条款（')", timeout=10_000)
    finally:
        page.close()
