"""The shared tables (assistant/store/sql.py) on SQLite and on a real PostgreSQL cluster."""

from __future__ import annotations

import pytest

from assistant.ingest import Ingested
from assistant.store.sql import KEEP_BUILDS, SqlStore


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        s = SqlStore(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    else:
        pg = request.getfixturevalue("pg")
        db = f"t{abs(hash(request.node.name)) % 10**8}"  # a database per test: tests see only their own rows
        admin = SqlStore(pg.url)
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as con:
            from sqlalchemy import text

            con.execute(text(f'DROP DATABASE IF EXISTS "{db}"'))
            con.execute(text(f'CREATE DATABASE "{db}"'))
        admin.close()
        s = SqlStore(pg.url.rsplit("/", 1)[0] + "/" + db)
    yield s
    s.close()


def small(tables, n_docs: int = 2) -> Ingested:
    keep = {d.doc_id for d in tables.docs[:n_docs]}
    return Ingested([d for d in tables.docs if d.doc_id in keep], [c for c in tables.clauses if c.doc_id in keep],
                    [t for t in tables.targets if t.doc_id in keep], list(tables.errors), tables.fingerprint)


def test_build_is_invisible_until_activated_and_reads_back_whole(store, tables):
    data = small(tables)
    assert store.current() is None
    bid = store.begin_build(data.fingerprint, "c1")
    store.write_tables(bid, data)
    assert store.current() is None  # written, not switched: readers still see nothing
    store.activate(bid)
    assert store.current().build_id == bid
    back = store.read(bid)
    assert [c.model_dump() for c in back.clauses] == [c.model_dump() for c in data.clauses]
    assert [t.model_dump() for t in back.targets] == [t.model_dump() for t in data.targets]
    assert [d.doc_id for d in back.docs] == [d.doc_id for d in data.docs]
    assert back.fingerprint == data.fingerprint


def test_unfinished_build_leaves_previous_serving_and_is_pruned_later(store, tables):
    data = small(tables, 1)
    first = store.begin_build(data.fingerprint, "c1")
    store.write_tables(first, data)
    store.activate(first)
    dead = store.begin_build(data.fingerprint, "c2")  # a build that dies before its switch
    store.write_tables(dead, small(tables, 2))
    assert store.current().build_id == first
    assert len(store.read(first).docs) == 1
    later = []
    for name in ("c3", "c4", "c5"):
        b = store.begin_build(data.fingerprint, name)
        store.write_tables(b, data)
        later.append((b, store.activate(b)))
    pruned = {p.build_id for _, ps in later for p in ps}
    assert dead in pruned and first in pruned
    from sqlalchemy import select

    from assistant.store.sql import builds
    with store.engine.connect() as con:
        left = {r[0] for r in con.execute(select(builds.c.build_id))}
    assert left == {b for b, _ in later[-KEEP_BUILDS:]}


def test_a_vote_retried_with_its_id_is_stored_once(store):
    row = {"time": "t", "question": "东城区孕产妇死亡率目标是多少", "history": "[]", "answer": "a", "citations": "[]",
           "liked": 1}
    a = store.add_vote(row, "vote-1")
    b = store.add_vote(row, "vote-1")
    c = store.add_vote(row)
    assert a == b != c
    assert store.vote_count() == 2
    assert store.votes()[0]["question"] == row["question"]


def test_postgres_restart_while_writing_loses_no_vote(pg, tables):
    store = SqlStore(pg.url)
    before = store.vote_count()
    row = {"time": "t", "question": "q", "history": "[]", "answer": "a", "citations": "[]", "liked": 0}
    store.add_vote(row)
    pg.restart()  # every pooled connection is now dead
    store.add_vote(row)
    b = store.begin_build("fp", "c")
    store.write_tables(b, small(tables, 1))
    assert store.vote_count() == before + 2
    store.close()


def test_a_database_made_before_a_column_was_added_gets_it(tmp_path, tables):
    import sqlite3

    from assistant.store.lazy import BuildReader

    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)  # planqa_targets as the first shared release made it: no kind, no value_num
    con.execute("CREATE TABLE planqa_targets (build_id VARCHAR(40) NOT NULL, ord INTEGER NOT NULL, doc_id VARCHAR(200) "
                "NOT NULL, clause_id VARCHAR(400) NOT NULL, indicator_key VARCHAR(128), year INTEGER, json TEXT NOT NULL, "
                "PRIMARY KEY (build_id, ord))")
    con.close()
    s = SqlStore(f"sqlite:///{db}")
    data = small(tables)
    bid = s.begin_build(data.fingerprint, "c1")
    s.write_tables(bid, data)  # a build without the sentence index, as the old build step wrote
    s.activate(bid)
    from sqlalchemy import inspect

    assert {"kind", "value_num"} <= {c["name"] for c in inspect(s.engine).get_columns("planqa_targets")}
    with pytest.raises(RuntimeError, match="sentence index"):
        BuildReader(s, bid)  # a replica says to rebuild rather than answer without it
    s.close()
