"""Milvus (Lite) + PostgreSQL: the same answers as the embedded backend, builds switched atomically,
replicas that pick up a new build, a killed build that leaves the previous one serving."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from assistant.config import ROOT, Settings
from assistant.evaluate import load_golden, score, summarise
from assistant.retrieve import Filters
from tests.conftest import CORPUS, EVAL_SETS, _copy_sqlite

pytestmark = pytest.mark.slow
GOLDEN_STRIDE = 3  # a third of the golden questions (~90, every set): ~45 s on 2 cores
SCORE_REL = 1e-5  # scores compared to this: two engines' float32 sums differ in the last bits
SCORE_DECIMALS = 5  # ... and grouped by this many decimals to find equal scores
KILL_WAIT_S = 120  # a build reaches its table write within seconds; this only bounds a broken one


def test_golden_sets_give_the_same_answers_on_milvus_and_postgresql(engine, shared_engine):
    # every GOLDEN_STRIDE-th question of every set: the Lite engine is pure Python, the whole 274 take ~2.5 min
    golden = load_golden(sorted(EVAL_SETS.glob("*.jsonl")))[::GOLDEN_STRIDE]
    differ, results, embedded = [], [], []
    for g in golden:
        a, b = engine.ask(g.question, g.history), shared_engine.ask(g.question, g.history)
        results.append(score(g, b, shared_engine.clause))
        embedded.append(score(g, a, engine.clause))
        if a.answer != b.answer or [c.clause_id for c in a.citations] != [c.clause_id for c in b.citations]:
            differ.append((g.question, a.answer[:80], b.answer[:80]))
    assert not differ, differ
    summary = summarise(results)
    assert summary["overall"]["numeric_faithfulness"] == 1.0
    # the same scores as the embedded backend on the same questions (the gate itself runs on the
    # whole of eval_sets/ in tests/test_engine.py; a one-in-GOLDEN_STRIDE sample is not held to it)
    assert summary["overall"] == summarise(embedded)["overall"]


@pytest.mark.parametrize("filters, per_doc_k", [
    (None, None),
    (Filters(doc_ids=["dongcheng"]), None),
    (Filters(doc_ids=["dongcheng", "xicheng"], population="儿童"), None),
    (Filters(population="妇女", include_shared=False, section="主要目标"), None),
    (Filters(domain_key="健康"), None),
    (Filters(doc_ids=[]), None),
    (Filters(doc_ids=["dongcheng", "zengdu", "beijing"]), 2),
])
def test_filters_select_the_same_clauses(retriever, shared_engine, filters, per_doc_k):
    for q in ["孕产妇死亡率要控制在什么水平", "托位数要达到多少", "反家暴有哪些措施", "监测评估由谁牵头"]:
        for mode in ("bm25", "dense", "fusion"):
            want = retriever.search(q, k=5, filters=filters, per_doc_k=per_doc_k, mode=mode)
            got = shared_engine.retriever.search(q, k=5, filters=filters, per_doc_k=per_doc_k, mode=mode)
            assert_same_ranking(got, want, (q, mode))
            if filters and filters.doc_ids is not None:
                assert all(h.doc_id in filters.doc_ids for h in got)


@pytest.mark.parametrize("filters, per_doc_k", [
    (Filters(doc_ids=["dongcheng"]), None),
    (Filters(doc_ids=["zengdu"], population="儿童"), None),
    (Filters(doc_ids=["dongcheng", "xicheng"], population="妇女", include_shared=False, section="主要目标"), None),
    (Filters(doc_ids=["beijing"], domain_key="健康"), None),
    (Filters(doc_ids=["dongcheng", "zengdu", "beijing"]), 2),
])
def test_a_search_of_a_few_plans_ranks_their_rows_as_milvus_filters_them(shared_engine, filters, per_doc_k, monkeypatch):
    """A scope of a few plans is ranked in the replica from the plans' rows (retrieve_shared.LOCAL_DOCS);
    the same search as a Milvus filter expression gives the same clauses and scores."""
    import assistant.retrieve_shared as rs

    r = shared_engine.retriever
    for q in ["孕产妇死亡率要控制在什么水平", "托位数要达到多少", "反家暴有哪些措施", "监测评估由谁牵头"]:
        for mode in ("bm25", "dense", "fusion"):
            local = r.search(q, k=5, filters=filters, per_doc_k=per_doc_k, mode=mode)
            with monkeypatch.context() as m:
                m.setattr(rs, "LOCAL_DOCS", 0)  # every scope searched in Milvus
                milvus = r.search(q, k=5, filters=filters, per_doc_k=per_doc_k, mode=mode)
            assert_same_ranking(local, milvus, (q, mode))
    assert 0 < len(r.plans) <= r.plans.size


def assert_same_ranking(got, want, what) -> None:
    """Same scores at every position, and the same clause wherever its score is not shared: clauses of
    equal score (one text in several plans) may swap only when they tie at the top-k cut, where FAISS's
    choice among equals is its own."""
    assert [h.score for h in got] == pytest.approx([h.score for h in want], rel=SCORE_REL), what
    by_score: dict[float, tuple[set, set]] = {}
    for g, w in zip(got, want):
        sg, sw = by_score.setdefault(round(w.score, SCORE_DECIMALS), (set(), set()))
        sg.add(g.clause_id)
        sw.add(w.clause_id)
    cut = round(want[-1].score, SCORE_DECIMALS) if want else None
    for score_, (sg, sw) in by_score.items():
        assert sg == sw or score_ == cut, (what, score_, sg, sw)


# ---- builds on a small corpus: an incremental add, a new build picked up, a killed build ----------

def small_corpus(dst: Path, doc_ids: list[str]) -> Path:
    shutil.copytree(CORPUS, dst, dirs_exist_ok=True)
    m = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
    m["documents"] = [d for d in m["documents"] if d["doc_id"] in doc_ids]
    (dst / "manifest.yaml").write_text(yaml.safe_dump(m, allow_unicode=True), encoding="utf-8")
    return dst


@pytest.fixture
def small_shared(pg, index_dir, tmp_path, request):
    """A database of its own on the session cluster, a Milvus Lite file, two plans."""
    url = pg.fresh_database(f"small{os.getpid()}_{abs(hash(request.node.name)) % 10**6}")
    (tmp_path / "index").mkdir()
    _copy_sqlite(index_dir / "embeddings.sqlite", tmp_path / "index" / "embeddings.sqlite")
    return Settings(corpus_dir=small_corpus(tmp_path / "corpus", ["dongcheng", "xicheng"]),
                    index_dir=tmp_path / "index", vector_uri=str(tmp_path / "milvus.db"),
                    database_url=url)


def test_an_added_plan_is_served_after_the_next_build_without_a_restart(small_shared):
    from assistant.engine import Engine
    from assistant.store.shared import build

    first = build(small_shared)
    e = Engine(small_shared)
    assert {d.doc_id for d in e.docs} == {"dongcheng", "xicheng"}
    assert not e.refresh()  # nothing new
    small_corpus(small_shared.corpus_dir, ["dongcheng", "xicheng", "zengdu"])
    second = build(small_shared)
    assert second.clauses > first.clauses and second.embedded == 0  # cached vectors: only new text is embedded
    assert e.refresh() and e.build_id == second.build_id
    assert "zengdu" in {d.doc_id for d in e.docs}
    hits = e.retriever.search("孕产妇死亡率", k=3, filters=Filters(doc_ids=["zengdu"]))
    assert hits and all(h.doc_id == "zengdu" for h in hits)
    a = e.ask("曾都区孕产妇死亡率目标是多少", [])
    assert a.answerable and any(c.doc_id == "zengdu" for c in a.citations)


def test_a_killed_build_leaves_the_previous_build_serving(small_shared, tmp_path):
    from assistant.engine import Engine
    from assistant.store.shared import build, sql_store
    from assistant.store.sql import builds

    from sqlalchemy import select

    first = build(small_shared)
    e = Engine(small_shared)
    before = e.ask("东城区孕产妇死亡率目标是多少", [])
    env = dict(os.environ, PLANQA_CORPUS=str(small_shared.corpus_dir), PLANQA_INDEX=str(small_shared.index_dir),
               PLANQA_DATABASE_URL=small_shared.database_url,
               PLANQA_VECTOR_URI=str(tmp_path / "other.db"))  # Milvus Lite: one process per file
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "build"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    store = sql_store(small_shared)
    deadline = time.monotonic() + KILL_WAIT_S
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            with store.engine.connect() as con:
                if con.execute(select(builds.c.build_id).where(builds.c.status == "building")).first():
                    break
            time.sleep(0.05)
        assert proc.poll() is None, "the build finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert store.current().build_id == first.build_id
    assert not e.refresh()
    after = e.ask("东城区孕产妇死亡率目标是多少", [])
    assert after.answer == before.answer and after.answerable
    third = build(small_shared)  # the next build cleans up after the dead one
    with store.engine.connect() as con:
        assert not con.execute(select(builds.c.build_id).where(builds.c.status == "building")).first()
    assert e.refresh() and e.build_id == third.build_id
