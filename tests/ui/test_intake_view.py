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
