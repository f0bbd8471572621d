"""FeedbackStore: real SQLite writes, concurrent writers lose nothing."""

from __future__ import annotations

import sqlite3
import threading

from assistant.feedback import FeedbackStore, default_path
from assistant.models import Citation


def test_add_and_read_back(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    cit = Citation(doc_id="dongcheng", clause_id="dongcheng:妇女/健康/主要目标/1", label="东城区规划 · 妇女与健康 · 主要目标 第一条",
                   quote="孕产妇死亡率控制在7/10万以下")
    rid = store.add("东城区孕产妇死亡率目标是多少", ["上一个问题"], "控制在7/10万以下", [cit], liked=True)
    assert rid == 1
    rid2 = store.add("问题二", [], "回答", [], liked=False)
    assert rid2 == 2
    rows = store.all()
    assert [r["id"] for r in rows] == [1, 2]
    first = rows[0]
    assert first["question"] == "东城区孕产妇死亡率目标是多少"
    assert first["history"] == ["上一个问题"]
    assert first["answer"] == "控制在7/10万以下"
    assert first["citations"][0]["clause_id"] == cit.clause_id
    assert first["liked"] is True and rows[1]["liked"] is False
    assert first["time"]
    # a second store on the same file sees the same rows
    assert len(FeedbackStore(tmp_path / "fb.sqlite").all()) == 2


def test_wal_mode(tmp_path):
    path = tmp_path / "fb.sqlite"
    FeedbackStore(path)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    con.close()


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "fb.sqlite"
    stores = [FeedbackStore(path), FeedbackStore(path)]  # two "workers", one file
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    ids: list[int] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(50):
                rid = stores[n].add(f"问题 {n}-{i}", [f"h{i}"], f"回答 {n}-{i}", [], liked=bool(i % 2))
                with lock:
                    ids.append(rid)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rows = FeedbackStore(path).all()
    assert len(rows) == 100
    assert len(set(ids)) == 100
    assert {r["question"] for r in rows} == {f"问题 {n}-{i}" for n in range(2) for i in range(50)}


def test_default_path_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("PLANQA_FEEDBACK", str(tmp_path / "x" / "votes.sqlite"))
    assert default_path() == tmp_path / "x" / "votes.sqlite"
    monkeypatch.delenv("PLANQA_FEEDBACK")
    monkeypatch.setenv("PLANQA_INDEX", str(tmp_path / "idx"))
    monkeypatch.setenv("PLANQA_DATA", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "feedback.sqlite"  # never the (read-only) index folder


def test_votes_are_typed_and_capped(tmp_path):
    import pytest

    from assistant.feedback import MAX_ANSWER_CHARS

    store = FeedbackStore(tmp_path / "fb.sqlite")
    bad = [dict(liked="yes"), dict(citations="not a list"), dict(answer="x" * (MAX_ANSWER_CHARS + 1)),
           dict(question="q" * 10_000_000), dict(history=["h" * 1_000_000]), dict(history=[f"h{i}" for i in range(100)]),
           dict(citations=[{"doc_id": "d", "clause_id": "c", "label": "l", "quote": "q" * 1_000_000}])]
    for over in bad:
        args = {"question": "问题", "history": [], "answer": "回答", "citations": [], "liked": True, **over}
        with pytest.raises(ValueError):
            store.add(**args)
    assert store.all() == [] and (tmp_path / "fb.sqlite").stat().st_size < 100_000


def test_a_damaged_feedback_file_is_set_aside_with_a_warning(tmp_path, caplog):
    path = tmp_path / "fb.sqlite"
    FeedbackStore(path).add("问题", [], "回答", [], liked=True)
    raw = bytearray(path.read_bytes())
    raw[100:4096] = b"\xff" * (4096 - 100)  # the header page after the 100-byte header: schema gone
    path.write_bytes(bytes(raw))
    with caplog.at_level("WARNING"):
        store = FeedbackStore(path)
    assert "damaged" in caplog.text
    assert list(tmp_path.glob("fb.sqlite.damaged-*"))  # kept for recovery, not overwritten
    assert store.add("新问题", [], "回答", [], liked=False) == 1


def test_an_unwritable_feedback_folder_is_a_clear_error(tmp_path):
    import pytest

    from assistant.feedback import FeedbackUnavailable

    (tmp_path / "file").write_text("x")
    with pytest.raises(FeedbackUnavailable, match="file.*--feedback"):
        FeedbackStore(tmp_path / "file" / "fb.sqlite")  # its folder is a file: cannot be created


def test_comment_and_take_back(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    rid = store.add("问", [], "答", [], liked=False)
    assert store.all()[0]["comment"] == ""
    assert store.comment(rid, "  引用的条款不相关  ") is True
    assert store.all()[0]["comment"] == "引用的条款不相关"
    assert store.comment(999, "x") is False
    try:
        store.comment(rid, "长" * 3000)
    except ValueError:
        pass
    else:
        raise AssertionError("an overlong comment must be refused")
    assert store.remove(rid) is True and store.all() == []
    assert store.remove(rid) is False


def test_file_from_before_comments_keeps_its_votes(tmp_path):
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, question TEXT NOT NULL,"
                      " history TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL, liked INTEGER NOT NULL);"
                      "INSERT INTO feedback (time, question, history, answer, citations, liked)"
                      " VALUES ('2026-01-01T00:00:00+00:00', '旧问题', '[]', '旧回答', '[]', 1);")
    con.commit()
    con.close()
    store = FeedbackStore(path)
    assert [(r["question"], r["comment"]) for r in store.all()] == [("旧问题", "")]
    rid = store.add("新问题", [], "新回答", [], liked=False)
    assert store.comment(rid, "数字有误")


def test_review_export_csv_and_xlsx(tmp_path):
    import csv
    import io

    from openpyxl import load_workbook

    from assistant.feedback import REVIEW_COLUMNS, write_review

    store = FeedbackStore(tmp_path / "fb.sqlite")
    cit = Citation(doc_id="dongcheng", clause_id="c1", label="东城区规划 · 妇女与健康 · 主要目标 第二条", quote="孕产妇死亡率控制在7/10万以下")
    rid = store.add("那西城区呢？", ["东城区孕产妇死亡率目标是多少"], "=答案", [cit, cit], liked=False)
    store.comment(rid, "应答西城区")
    buf = io.StringIO()
    write_review(store.all(), "csv", buf)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert rows[0]["评价"] == "踩" and rows[0]["意见"] == "应答西城区"
    assert rows[0]["此前的问题"] == "东城区孕产妇死亡率目标是多少"
    assert rows[0]["出处"] == "「孕产妇死亡率控制在7/10万以下」〔东城区规划 · 妇女与健康 · 主要目标 第二条〕"  # one line per clause
    assert rows[0]["回答"] == "'=答案"  # never a formula in the sheet
    write_review(store.all(), "xlsx", tmp_path / "fb.xlsx")
    ws = load_workbook(tmp_path / "fb.xlsx").active
    assert [c.value for c in ws[1]] == REVIEW_COLUMNS and ws.freeze_panes == "A2"
    assert ws["E2"].value == "那西城区呢？" and ws.column_dimensions["G"].width >= 40
