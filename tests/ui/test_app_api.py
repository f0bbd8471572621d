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
    assert names == {"/chat", "/ask", "/compare"}
