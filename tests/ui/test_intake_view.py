"""The 添加规划 view: a staff member uploads a plan, sees the drafted entry and the parse summary,
corrects a field, confirms, and can ask about the plan at once; a bad file changes nothing."""

from __future__ import annotations

import shutil

import pytest
import yaml

from ui.intake import FIELDS, confirm_upload, read_upload


@pytest.fixture
def small_engine(corpus_copy, index_dir, tmp_path):
    """The real engine on the corpus without Xicheng (the plan the test adds), embeddings reused."""
    from assistant.config import Settings
    from assistant.engine import Engine

    manifest = corpus_copy / "manifest.yaml"
    data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    data["documents"] = [d for d in data["documents"] if d["doc_id"] != "xicheng"]
    manifest.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    index = tmp_path / "index"
    index.mkdir()
    if (index_dir / "embeddings.sqlite").exists():
        shutil.copy(index_dir / "embeddings.sqlite", index / "embeddings.sqlite")
    return Engine(Settings(corpus_dir=corpus_copy, index_dir=index))


def test_upload_read_correct_confirm_then_ask(small_engine, plan_files):
    e = small_engine
    before = e.ask("西城区孕产妇死亡率目标是多少", [])
    assert not any(c.doc_id == "xicheng" for c in before.citations)
    path = str(plan_files.docx("xicheng"))
    message, summary, *values = read_upload(e, path, "xicheng")
    drafted = dict(zip([k for k, _ in FIELDS], values))
    assert drafted["region"] == "西城区" and drafted["issue_date"] == "2022-04-01" and "<td>妇女/策略措施</td><td>62</td>" in summary
    assert "xicheng" not in {d.doc_id for d in e.docs}  # reading changes nothing
    drafted["short_name"] = "西城规划"  # a correction typed into the form
    message, _ = confirm_upload(e, path, "xicheng", *[drafted[k] for k, _ in FIELDS])
    assert message.startswith("✅")
    assert e.doc("xicheng").short_name == "西城规划"
    new = sum(c.doc_id == "xicheng" for c in e.clauses)
    assert e.retriever.vectors.built and e.retriever.vectors.embedded <= new < len(e.clauses)  # only the new plan embedded
    a = e.ask("西城区孕产妇死亡率目标是多少", [])
    assert a.answerable and any(c.doc_id == "xicheng" for c in a.citations)


def test_a_bad_file_gets_a_clear_message_and_changes_nothing(small_engine, tmp_path):
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4\n%%EOF")
    manifest = (small_engine.settings.corpus_dir / "manifest.yaml").read_text(encoding="utf-8")
    message, summary, *values = read_upload(small_engine, str(bad), "")
    assert message.startswith("❌") and "scan.pdf" in message and "未做任何更改" in message
    message, _ = confirm_upload(small_engine, str(bad), "", *([""] * len(FIELDS)))
    assert message.startswith("❌")
    assert (small_engine.settings.corpus_dir / "manifest.yaml").read_text(encoding="utf-8") == manifest


@pytest.mark.browser
@pytest.mark.slow
def test_browser_adds_a_pdf_plan_and_asks_about_it(browser, small_engine, plan_files):
    import unicodedata

    from tests.ui.conftest import free_port
    from ui.app import build_app, launch_options

    app = build_app(small_engine)
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, share=False,
               **launch_options())
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(f"http://127.0.0.1:{port}/")
        page.get_by_role("tab", name="添加规划").click()
        page.locator("#intake-file input[type=file]").set_input_files(str(plan_files.pdf("xicheng")))
        page.locator("#intake-doc-id input, #intake-doc-id textarea").first.fill("xicheng")
        page.locator("#intake-read").click()
        page.get_by_text("已读取").wait_for(timeout=60_000)
        region = page.locator("#intake-region input, #intake-region textarea").first
        assert region.input_value() == "西城区"
        assert "妇女/策略措施" in page.locator("#intake-summary").inner_text()
        page.locator("#intake-confirm").click()
        page.get_by_text("已添加 xicheng").wait_for(timeout=120_000)

        page.get_by_role("tab", name="问答").click()
        page.locator("#question textarea").fill("西城区孕产妇死亡率目标是多少")
        page.locator("#ask").click()
        card = page.locator("#chatbot details.clause-card").first
        card.wait_for(timeout=30_000)
        text = unicodedata.normalize("NFKC", page.locator("#chatbot").inner_text())
        assert "西城区规划" in text
        # the first card is open (the staff app's default): its meta line names the PDF page
        assert "页" in card.locator(".clause-meta").inner_text()  # a PDF clause is cited with its page
    finally:
        page.close()
        app.close()
