from assistant.store.db import load_tables

from tests.conftest import CORPUS


def test_tables_are_built_then_reused_and_rebuilt_when_damaged(tmp_path, caplog):
    db = tmp_path / "plans.sqlite"
    first = load_tables(CORPUS, db)
    assert db.exists() and len(first.clauses) > 1000
    again = load_tables(CORPUS, db)
    assert [c.clause_id for c in again.clauses] == [c.clause_id for c in first.clauses]
    db.write_bytes(db.read_bytes()[:4096])  # truncated file
    rebuilt = load_tables(CORPUS, db)
    assert len(rebuilt.targets) == len(first.targets)
    assert "damaged" in caplog.text


def test_stale_tables_are_rebuilt_when_the_corpus_changes(corpus_copy, tmp_path):
    db = tmp_path / "plans.sqlite"
    before = load_tables(corpus_copy, db)
    (corpus_copy / "plans" / "003_6e451218832a53cc.txt").unlink()
    after = load_tables(corpus_copy, db)
    assert {d.doc_id for d in after.docs} == {d.doc_id for d in before.docs} - {"xicheng"}
    assert any("003_6e451218832a53cc.txt" in e.file for e in after.errors)
