"""The replica's Context on the shared tables (assistant/answer/context_shared.py) answers every lookup
the strategies make as the in-memory Context does, on SQLite and on a real PostgreSQL cluster: three
whole plans written by the real build code, read back lazily, and the region-less strategies (figure
finder, owner, refusal, status) giving the same drafts from both."""

from __future__ import annotations

import pytest

from assistant.answer.context import Context
from assistant.answer.context_shared import SharedContext
from assistant.answer.router import route
from assistant.store.lazy import BuildReader
from tests.answer.conftest import write_shared_build
from tests.store.test_sql import store  # noqa: F401 - the SQLite / PostgreSQL store fixture

PLANS = ("dongcheng", "xicheng", "zengdu")  # three district plans: enough for region-less questions to span plans
QUESTIONS = [
    "学校门口多少米内不能划停车位？",         # figure finder, no plan named
    "东城规划里学校门口多少米内不能划停车位？",  # figure finder, one plan
    "监测评估由谁牵头",                       # owner sentence, every plan
    "曾都乳腺癌人群筛查率具体要达到百分之几？",  # words only: the refusal quotes them
    "孕产妇死亡率要控制在什么水平",             # target rows by indicator, every plan
    "西城区的托位数目标是多少",                 # one plan's target
    "哪些指标未达标",                         # status over every plan's targets
    "火星移民有什么规划",                      # nothing: refusal
]


@pytest.fixture
def both(store, tables):  # noqa: F811
    data, searcher, bid = write_shared_build(store, tables, PLANS)
    memory = Context(data.docs, data.clauses, data.targets, searcher, observations=list)
    shared = SharedContext(BuildReader(store, bid), searcher, observations=list)
    return data, memory, shared


def test_every_lookup_reads_the_same(both):
    data, memory, shared = both
    some = data.clauses[::11]
    for c in some:
        i = c.clause_id
        assert shared.clause_by_id[i] == memory.clause_by_id[i] and shared.clause(i) == memory.clause(i)
        assert shared.clause_norm[i] == memory.clause_norm[i] and shared.clause_bigrams[i] == memory.clause_bigrams[i]
        assert shared.sentences_in(c) == memory.sentences_in(c)
    assert shared.clause("no-such-clause") is None and "no-such-clause" not in shared.clause_by_id
    ids = [c.clause_id for c in some] + ["no-such-clause"]
    assert shared.known_clauses(ids) == memory.known_clauses(ids) == {c.clause_id for c in some}
    for d in PLANS:
        assert shared.clauses_of[d] == memory.clauses_of[d] and shared.by_doc[d] == memory.by_doc[d]
        assert shared.sentences_of[d] == memory.sentences_of[d]
        assert shared.sentence_bigrams[d] == memory.sentence_bigrams[d]
        assert shared.sentence_tokens[d] == memory.sentence_tokens[d]
        assert shared.plan_rule(d) == memory.plan_rule(d)
    keys = sorted({t.indicator_key for t in data.targets if t.indicator_key})[:12]
    for k in keys:
        assert shared.by_key[k] == memory.by_key[k]
        for d in data.docs:
            assert shared.rows(d, [k, keys[0]], None) == memory.rows(d, [k, keys[0]], None)
            assert shared.rows(d, [k], d.period_end) == memory.rows(d, [k], d.period_end)
    assert shared.by_key.get("no-such-indicator", []) == []
    for b in ["死亡", "托位", "火星"]:
        assert shared.idf.get(b, shared.idf[""]) == memory.idf.get(b, memory.idf[""])
    assert shared.token_idf[""] == memory.token_idf[""]
    assert shared.select_targets(kinds=["target"], keys=keys[:3]) == memory.select_targets(kinds=["target"], keys=keys[:3])
    assert shared.select_targets(doc_ids=["zengdu"]) == memory.select_targets(doc_ids=["zengdu"])
    assert shared.mentions(["孕产妇"], {"xicheng"}) == memory.mentions(["孕产妇"], {"xicheng"}) is True
    assert shared.mentions(["火星"], set(PLANS)) is memory.mentions(["火星"], set(PLANS)) is False


@pytest.mark.parametrize("order", [list(PLANS), list(reversed(PLANS)), ["zengdu"]])
def test_sentences_holding_the_terms_come_in_the_same_order(both, order):
    _, memory, shared = both
    for bigrams, tokens in [({"监测", "评估"}, set()), ({"死亡"}, {"孕产妇"}), (set(), {"托位"}), ({"火星"}, set())]:
        for within in (None, {"牵头", "控制"}):
            want = memory.sentences_with(order, bigrams, tokens, within)
            got = shared.sentences_with(order, bigrams, tokens, within)
            assert [(s.clause.clause_id, s.text, bs, ts) for s, bs, ts in got] == \
                   [(s.clause.clause_id, s.text, bs, ts) for s, bs, ts in want]
        for s, _, _ in got:  # the owner answer finds a sentence among its clause's by identity
            assert any(x is s for x in shared.sentences_in(s.clause))


def test_region_less_strategies_answer_the_same(both, ask_query):
    _, memory, shared = both
    for q in QUESTIONS:
        a, b = route(ask_query(q), memory), route(ask_query(q), shared)
        assert (b.answer, b.answerable, [c.clause_id for c in b.citations]) == \
               (a.answer, a.answerable, [c.clause_id for c in a.citations]), q
