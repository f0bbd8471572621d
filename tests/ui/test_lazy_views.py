"""Issue 13: on the shared backend the app's start reads no clause, and its plan browser and 监测 tab
read one plan when it is shown, so `serve`'s memory does not grow with the number of plans.

A real BuildReader on the shared tables (SQLite, written by the real build code) counts what it is
asked; the engine around it is the shared Engine's own attributes (assistant/engine.py), with a
keyword searcher in place of Milvus."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.answer.context_shared import SharedContext
from assistant.engine import Engine
from assistant.monitor import add_observations, load_observations, statuses
from assistant.store.lazy import BuildReader, ClauseRows, TargetRows
from assistant.store.observations import ObservationStore
from assistant.store.sql import SqlStore
from tests.answer.conftest import write_shared_build
from tests.ui.conftest import ROOT

PLANS = ("beijing", "dongcheng", "xicheng", "zengdu")  # the reference plan (对标) and three districts
OPENED = "dongcheng"
SAMPLE = ROOT / "tests" / "fixtures" / "observations_sample.csv"


class CountingReader(BuildReader):
    """The real reader, counting the clauses it reads (by plan) and how targets are asked for."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.clause_docs: Counter[str] = Counter()  # clauses read, by plan
        self.target_calls: list[tuple] = []  # (kinds, keys, doc_ids) of every targets() call

    def _count(self, clauses) -> None:
        self.clause_docs.update(c.doc_id for c in clauses)

    def clauses_by_ord(self, ords):
        out = super().clauses_by_ord(ords)
        self._count(out.values())
        return out

    def clauses_by_id(self, ids):
        out = super().clauses_by_id(ids)
        self._count(c for _, c in out.values())
        return out

    def clauses_of(self, doc_id):
        out = super().clauses_of(doc_id)
        self._count(c for _, c in out)
        return out

    def iter_clauses(self):
        for c in super().iter_clauses():
            self._count([c])
            yield c

    def targets(self, kinds=None, keys=None, doc_ids=None):
        self.target_calls.append((kinds, keys, doc_ids))
        return super().targets(kinds, keys, doc_ids)

    def reset(self) -> None:
        self.clause_docs.clear()
        self.target_calls.clear()


@pytest.fixture
def shared(tables, settings, tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    data, searcher, bid = write_shared_build(store, tables, PLANS)
    reader = CountingReader(store, bid)
    reader.reset()
    # what Engine.__init__ sets on the shared backend, with the keyword searcher for Milvus
    engine = Engine.__new__(Engine)
    engine.settings = settings
    engine.build_id = bid
    engine.docs = reader.docs
    engine.clauses = ClauseRows(reader.clause_cache())
    engine.all_targets = TargetRows(reader)
    engine.errors = reader.errors
    engine.retriever = searcher
    engine.ctx = SharedContext(reader, searcher, observations=list)
    try:
        yield data, engine, reader
    finally:
        store.close()


def _fn(app, name: str):
    return next(f.fn for f in app.fns.values() if getattr(f.fn, "__name__", "") == name)


def test_start_reads_no_clause_and_a_plan_is_read_when_opened(shared, tmp_path):
    from assistant.feedback import FeedbackStore
    from ui.app import PLAN_CACHE, build_app, doc_clauses, plan_outline

    data, engine, reader = shared
    observations = ObservationStore(tmp_path / "observations.sqlite")
    add_observations(SAMPLE, observations, data)
    app = build_app(engine, feedback=FeedbackStore(tmp_path / "feedback.sqlite"), observations=observations)
    try:
        assert not reader.clause_docs, f"the app's start read clauses: {dict(reader.clause_docs)}"
        assert all(doc_ids or keys for _, keys, doc_ids in reader.target_calls), reader.target_calls  # no walk

        # 目标表: the page's load event shows the first plan's targets, not every plan's
        initial = {b.elem_id: b.value for b in app.blocks.values() if getattr(b, "elem_id", None) and hasattr(b, "value")}
        assert initial["targets-plan"] == data.docs[0].doc_id
        reader.reset()
        table, count, _, _ = _fn(app, "filter_targets")(initial["targets-plan"], "", "", "", "", "")
        assert all(doc_ids == [data.docs[0].doc_id] for _, _, doc_ids in reader.target_calls) and reader.target_calls
        assert count == f"共 {len(table)} 条目标" and len(table) == len(engine.targets(doc_id=data.docs[0].doc_id))
        assert set(reader.clause_docs) <= {data.docs[0].doc_id}  # the cited clauses of that plan at most
        reader.reset()

        # 规划浏览: opening a plan reads that plan's clauses only, once
        outline, picker, _ = _fn(app, "show_plan")(OPENED)
        assert set(reader.clause_docs) == {OPENED}
        mine = sorted((c for c in data.clauses if c.doc_id == OPENED), key=lambda c: c.order)
        assert picker["choices"] == [(c.label, c.clause_id) for c in mine]
        assert outline == plan_outline(engine, OPENED, mine) and f"共 {len(mine)} 条" in outline
        assert doc_clauses(engine, OPENED) == mine
        reader.reset()
        found = _fn(app, "find_clauses")(OPENED, "母乳喂养")
        want = [(c.label, c.clause_id) for c in mine if "母乳喂养" in c.label + c.text]
        assert found["choices"] == want and want
        assert not reader.clause_docs  # the search words were kept with the page
        assert app.plan_pages.size == PLAN_CACHE

        # 监测: one plan's statuses read that plan's targets and the clauses of its region's rows only,
        # and are the rows the embedded tab shows for it
        reader.reset()
        summary, table, _, _ = _fn(app, "refresh")(OPENED, "", "")
        region = {d.region for d in data.docs if d.doc_id == OPENED}
        assert set(reader.clause_docs) <= {d.doc_id for d in data.docs if d.region in region}
        assert all(doc_ids is not None for _, _, doc_ids in reader.target_calls), reader.target_calls
        held = statuses(data.targets, load_observations(data, observations), data.docs, data.clauses)
        from ui.monitor import shared_statuses, table_html

        want_rows = [r for r in held if r.doc_id == OPENED]
        assert shared_statuses(engine, observations, OPENED) == want_rows and want_rows
        assert table == table_html(want_rows)
        assert any(r.series for r in want_rows)  # the uploaded observations count
        # 全部规划 still gives every plan's rows (read for the request)
        assert shared_statuses(engine, observations) == held
    finally:
        app.close()
        app.exports.close()


def test_plan_pages_keep_a_bounded_number_of_plans(shared):
    from ui.app import PlanPages, doc_clauses

    _, engine, reader = shared
    pages = PlanPages(engine, 2)
    for d in PLANS:
        pages.get(d)
    assert len(pages._pages) == 2 and [k[1] for k in pages._pages] == list(PLANS[-2:])
    kept = pages.get(PLANS[-1])
    assert pages.get(PLANS[-1]) is kept  # kept
    first = pages.get(PLANS[0])  # evicted, built again (from the engine's own bounded caches)
    assert first[0] == [(c.label, c.clause_id) for c in doc_clauses(engine, PLANS[0])] and first[0]
    assert [k[1] for k in pages._pages] == [PLANS[-1], PLANS[0]]
