"""The running app answers through its API (gradio_client), with the real engine."""

from __future__ import annotations

import unicodedata

import pytest

pytestmark = pytest.mark.slow

QUESTION = "东城区孕产妇死亡率目标是多少"


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s).replace(" ", "")


@pytest.fixture(scope="module")
def client(ui_server):
    from gradio_client import Client

    url, _ = ui_server
    return Client(url, verbose=False, download_files=False)


def test_ask_endpoint_answers_with_citation(client):
    result = client.predict(QUESTION, [], api_name="/ask")
    assert result["answerable"] is True
    assert "7/10万" in nfkc(result["answer"])
    assert result["citations"], result
    cit = result["citations"][0]
    assert cit["doc_id"] == "dongcheng"
    assert "7/10万" in nfkc(cit["quote"])


def test_chat_endpoint_shows_answer_and_clause_card(client):
    chat, textbox = client.predict(QUESTION, [], api_name="/chat")
    assert textbox == ""
    assert [m["role"] for m in chat] == ["user", "assistant"]
    content = chat[1]["content"]
    text = "".join(part.get("text", "") for part in content) if isinstance(content, list) else content
    assert "7/10万" in nfkc(text)
    assert '<details class="clause-card" id="cite-' in text and " open>" in text  # the first card open
    assert "<mark>" in text and "东城区“十四五”时期妇女儿童发展规划" in text and "2021-12-30" in text


def test_compare_endpoint_lists_every_plan(client):
    table, chart, note = client.predict("孕产妇死亡率", "", api_name="/compare")
    plans = [row[0] for row in table["data"]]
    assert {"北京市规划", "东城区规划", "西城区规划", "曾都区规划"} <= set(plans)
    verdicts = {row[0]: row[table["headers"].index("结论")] for row in table["data"]}
    assert verdicts["北京市规划"] == "参照"
    assert "<svg" in chart


def test_only_public_endpoints(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert names == {"/chat", "/ask", "/compare", "/feedback"}


# ---- pieces that need no server -------------------------------------------------------------

def test_highlight_marks_quote_across_width_and_spaces():
    from ui.app import highlight

    out = highlight("2.保障孕产妇安全，孕产妇死亡率控制在7／10 万以下。<b>", ["孕产妇死亡率控制在7/10万以下"])
    assert out == "2.保障孕产妇安全，<mark>孕产妇死亡率控制在7／10 万以下</mark>。&lt;b&gt;"
    assert highlight("没有引文", ["不在文中"]) == "没有引文"


def test_read_auth(tmp_path, monkeypatch):
    from ui.__main__ import read_auth

    monkeypatch.delenv("PLANQA_USER", raising=False)
    monkeypatch.delenv("PLANQA_PASSWORD", raising=False)
    assert read_auth(None) is None
    f = tmp_path / "auth.txt"
    f.write_text("# staff\nalice:pa:ss\n\nbob:x\n", encoding="utf-8")
    assert read_auth(str(f)) == [("alice", "pa:ss"), ("bob", "x")]
    monkeypatch.setenv("PLANQA_USER", "carol")
    monkeypatch.setenv("PLANQA_PASSWORD", "y")
    assert read_auth(None) == [("carol", "y")]
    f.write_text("nocolon\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        read_auth(str(f))


# ---- hardening: the API trusts no client ------------------------------------------------------

def test_feedback_stores_the_servers_own_answer_for_the_turn(client, ui_server):
    _, store = ui_server
    result = client.predict(QUESTION, ["上一个问题"], api_name="/ask")
    before = len(store.all())
    row = client.predict(result["turn_id"], True, api_name="/feedback")
    stored = store.all()[-1]
    assert len(store.all()) == before + 1 and stored["id"] == row
    assert stored["question"] == QUESTION and stored["answer"] == result["answer"] and stored["history"] == ["上一个问题"]
    assert stored["citations"][0]["clause_id"] == result["citations"][0]["clause_id"] and stored["liked"] is True


@pytest.mark.parametrize("args", [
    ("no-such-turn", True),  # a forged turn: nothing the server said
    (None, True),
    ("x" * 10_000_000, False),  # 10 MB field
    ("TURN", "yes"),  # liked must be a real boolean
    ("TURN", [1]),
])
def test_feedback_refuses_forged_or_malformed_votes(client, ui_server, args):
    from gradio_client.exceptions import AppError

    _, store = ui_server
    turn = client.predict(QUESTION, [], api_name="/ask")["turn_id"]
    args = tuple(turn if a == "TURN" else a for a in args)
    before = len(store.all())
    with pytest.raises(AppError, match="turn_id|liked"):
        client.predict(*args, api_name="/feedback")
    assert len(store.all()) == before


def test_ask_explains_a_non_string_question(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="question must be a string"):
        client.predict(12345, [], api_name="/ask")
    with pytest.raises(AppError, match="history must be a list"):
        client.predict(QUESTION, "not a list", api_name="/ask")


def test_chat_shows_user_text_literally(client):
    typed = "![x](http://127.0.0.1:9/pixel.png) <a href=x style=\"position:fixed;inset:0\">点</a> 东城区孕产妇死亡率"
    chat, _ = client.predict(typed, [], api_name="/chat")
    content = chat[0]["content"]
    shown = "".join(p.get("text", "") for p in content) if isinstance(content, list) else content
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark", {"html": True}).render(shown)
    assert "<img" not in rendered and "<a" not in rendered
    assert html_text(rendered) == typed


def html_text(rendered: str) -> str:
    import html as html_mod
    import re

    return html_mod.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


def test_uploads_are_capped(ui_server):
    import urllib.error
    import urllib.request

    url, _ = ui_server
    from ui.app import MAX_UPLOAD_BYTES

    limit = MAX_UPLOAD_BYTES // 2  # the body below is twice this plus 1 MB: past the cap
    boundary = "planqa-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.bin\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + b"\0" * (2 * limit + 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode()
    req = urllib.request.Request(url + "gradio_api/upload", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        status = urllib.request.urlopen(req, timeout=60).status
    except urllib.error.HTTPError as e:
        status = e.code
    except urllib.error.URLError as e:  # refused mid-body: the server closed the connection
        assert isinstance(e.reason, (ConnectionResetError, BrokenPipeError)), e
        status = "reset"
    assert status in (400, 413, "reset")


def test_sessions_are_capped_in_number_and_lifetime(ui_app):
    import gradio as gr

    from ui.app import MAX_SESSIONS, SESSION_TTL_S

    app, _, _ = ui_app
    assert app.state_session_capacity == MAX_SESSIONS
    for i in range(MAX_SESSIONS + 50):  # Gradio's own holder: the oldest sessions are evicted
        app.state_holder[f"probe-{i}"]
    assert len(app.state_holder.session_data) <= MAX_SESSIONS
    states = [b for b in app.blocks.values() if isinstance(b, gr.State)]
    assert states and all(s.time_to_live == SESSION_TTL_S for s in states)


def test_corpus_errors_are_shown_to_staff(ui_engine, tmp_path):
    import copy

    from assistant.feedback import FeedbackStore
    from assistant.ingest.corpus import CorpusError
    from ui.app import build_app

    broken = copy.copy(ui_engine)
    broken.errors = [CorpusError("../../etc/passwd", "path resolves outside the corpus plans folder; refused"),
                     CorpusError("haidian.txt", "not UTF-8 (byte 0)")]
    app = build_app(broken, feedback=FeedbackStore(tmp_path / "fb.sqlite"))
    try:
        shown = " ".join(str(b.value) for b in app.blocks.values() if getattr(b, "elem_id", None) == "corpus-errors")
        assert "haidian.txt" in shown and "not UTF-8" in shown and "../../etc/passwd" in shown and "2 个" in shown
        clean = build_app(ui_engine, feedback=FeedbackStore(tmp_path / "fb2.sqlite")) if not ui_engine.errors else None
        if clean is not None:
            assert not any(getattr(b, "elem_id", None) == "corpus-errors" for b in clean.blocks.values())
    finally:
        app.exports.close()


# ---- bounds that need no server ---------------------------------------------------------------

def test_exports_keep_the_newest_and_clean_up(tmp_path):
    import os
    import time

    import pandas as pd

    from ui.app import EXPORT_MAX_AGE_S, MAX_EXPORTS, Exports

    stale = tmp_path / f"{Exports.PREFIX}old"
    stale.mkdir()
    os.utime(stale, (time.time() - EXPORT_MAX_AGE_S - 60,) * 2)
    fresh = tmp_path / f"{Exports.PREFIX}other-live-server"
    fresh.mkdir()
    ex = Exports(root=tmp_path)
    assert not stale.exists() and fresh.exists()
    df = pd.DataFrame({"a": [1, 2]})
    paths = [ex.write(df) for _ in range(MAX_EXPORTS + 15)]
    assert len(list(ex.dir.iterdir())) == MAX_EXPORTS
    assert all(p.exists() for p in paths[-1]) and not paths[0][0].exists()
    ex.close()
    assert not ex.dir.exists()


def test_login_throttle_locks_a_name_after_repeated_failures():
    from ui.app import LoginThrottle

    now = [1000.0]
    auth = LoginThrottle([("alice", "s3cret")], clock=lambda: now[0])
    assert auth("alice", "s3cret")
    results = [auth("alice", f"guess{i}") for i in range(200)]
    assert not any(results) and auth.checked <= 1 + LoginThrottle.MAX_FAILURES
    assert not auth("alice", "s3cret")  # locked: even the right password waits
    assert not any(auth(f"user{i}", "x") for i in range(50)) and auth.checked <= 1 + 2 * LoginThrottle.MAX_FAILURES
    now[0] += LoginThrottle.LOCKOUT_S + 1
    assert auth("alice", "s3cret")


def test_login_throttle_on_a_real_server():
    import urllib.error
    import urllib.parse
    import urllib.request

    import gradio as gr

    from tests.ui.conftest import free_port
    from ui.app import LoginThrottle

    with gr.Blocks() as demo:
        gr.Markdown("hi")
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                auth=LoginThrottle([("alice", "s3cret")]))
    try:
        def login(password: str) -> int:
            data = urllib.parse.urlencode({"username": "alice", "password": password}).encode()
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/login", data=data, timeout=10).status
            except urllib.error.HTTPError as e:
                return e.code

        assert [login("wrong") for _ in range(20)] == [400] * 20
        assert login("s3cret") == 400  # locked out for LOCKOUT_S
    finally:
        demo.close()


from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.text(max_size=50), st.text(min_size=900, max_size=1200),
                                    st.just("问" * 20_001)),
                          st.sampled_from(["target_value", "fact", "too_long", "unsupported", "empty"])),
                max_size=80))
def test_chat_sessions_never_exceed_the_caps(turns):
    from assistant.models import Answer
    from assistant.text import MAX_HISTORY_CHARS, MAX_HISTORY_TURNS, MAX_QUESTION_CHARS
    from ui.app import MAX_CHAT_MESSAGES, MAX_SESSION_TURNS, session_after

    chat, session = [], None
    for message, intent in turns:
        before = list(session["questions"]) if session else []
        chat, session = session_after(session, chat, message, Answer(answer="答", answerable=True, intent=intent))
        assert len(session["questions"]) <= MAX_HISTORY_TURNS and sum(map(len, session["questions"])) <= MAX_HISTORY_CHARS
        assert len(chat) <= MAX_CHAT_MESSAGES and len(session["turns"]) <= MAX_SESSION_TURNS
        assert all(len(m["content"]) < MAX_QUESTION_CHARS for m in chat)
        for k, t in session["turns"].items():  # a vote on message k finds that message's answer
            assert chat[int(k)]["role"] == "assistant" and int(k) < len(chat)
        if intent in ("too_long", "unsupported", "empty") or len(message) > 1_000:
            assert session["questions"] == before  # refused or oversized: never context
