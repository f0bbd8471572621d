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
    assert '<details class="clause-card">' in text
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
