"""A build read row by row (assistant/store/lazy.py) on SQLite and on a real PostgreSQL cluster: the
same clauses, targets, sentences and weights as the tables it was written from, and a clause cache
that stays within its bound."""

from __future__ import annotations

import pytest

from assistant.store.bm25 import ChineseTokenizer
from assistant.store.lazy import BuildReader, ClauseCache, ClauseRows, TargetRows
from assistant.store.sentences import TOKEN_MARK, sentence_terms, term_weights
from tests.store.test_sql import small, store  # noqa: F401 - the SQLite / PostgreSQL store fixture

CACHE_BOUND = 5  # a cache far smaller than the clauses read, so eviction is exercised


def write(store, tables):  # noqa: F811
    data = small(tables)
    rows = list(sentence_terms(data.clauses, ChineseTokenizer.for_docs(data.docs)))
    bi, tok = term_weights(rows)
    bid = store.begin_build(data.fingerprint, "c1")
    store.write_tables(bid, data, rows, bi | {TOKEN_MARK + t: w for t, w in tok.items()})
    store.activate(bid)
    return data, rows, bi, tok, BuildReader(store, bid)


def test_reads_by_id_document_indicator_and_kind_match_the_tables(store, tables):  # noqa: F811
    data, _, _, _, reader = write(store, tables)
    assert reader.docs == data.docs and reader.clause_count == len(data.clauses)
    assert reader.target_count == len(data.targets)
    some = data.clauses[::7]
    assert {i: c for i, (_, c) in reader.clauses_by_id([c.clause_id for c in some]).items()} == {c.clause_id: c for c in some}
    assert reader.clauses_by_ord([0, 3]) == {0: data.clauses[0], 3: data.clauses[3]}
    d = data.docs[0].doc_id
    assert [c for _, c in reader.clauses_of(d)] == [c for c in data.clauses if c.doc_id == d]
    assert reader.targets_of_doc(d) == [t for t in data.targets if t.doc_id == d]
    key = next(t.indicator_key for t in data.targets if t.indicator_key)
    assert reader.targets_of_key(key) == [t for t in data.targets if t.indicator_key == key]
    grouped = reader.targets_of_key_by_doc(key)
    assert sorted(t for rs in grouped.values() for t in rs) == [(i, t) for i, t in enumerate(data.targets) if t.indicator_key == key]
    assert reader.targets(kinds=["achieved"], doc_ids=[d]) == [t for t in data.targets if t.kind == "achieved" and t.doc_id == d]
    assert reader.indicator_keys("target") == sorted({t.indicator_key for t in data.targets if t.kind == "target"
                                                      and t.indicator_key and t.value_num is not None})
    assert list(reader.iter_clauses()) == data.clauses
    assert list(TargetRows(reader)) == data.targets


def test_sentences_holding_a_term_are_all_and_only_those(store, tables):  # noqa: F811
    data, rows, bi, tok, reader = write(store, tables)
    term, token = "死亡", "妇女"
    want = [(r.clause_ord, r.doc_id, r.seq, r.bigrams, r.tokens) for r in rows if term in r.bigrams or token in r.tokens]
    assert want and reader.sentences_with([term, TOKEN_MARK + token]) == want
    d = data.docs[1].doc_id
    assert reader.sentences_with([term], doc_ids=[d]) == [w for w in want if w[1] == d and term in w[3]]
    assert reader.sentences_with([term], doc_ids=[]) == []
    assert reader.sentences_with([term, TOKEN_MARK + token], within=["控制"]) == [w for w in want if "控制" in w[3]]
    assert reader.weights([term, TOKEN_MARK + token, "不在"]) == {term: bi[term], TOKEN_MARK + token: tok[token]}


def test_the_clause_cache_keeps_its_bound_and_returns_one_object_per_row(store, tables):  # noqa: F811
    data, _, _, _, reader = write(store, tables)
    cache = ClauseCache(reader, size=CACHE_BOUND)
    first = cache.by_ord([0])[0]
    assert cache.by_id([data.clauses[0].clause_id])[data.clauses[0].clause_id] is first  # cached: the same object
    rows = ClauseRows(cache)
    assert [rows[i] for i in range(20)] == data.clauses[:20]
    assert len(cache._by_ord) == CACHE_BOUND and len(cache._ord_of) == CACHE_BOUND
    assert rows[-1] == data.clauses[-1] and len(rows) == len(data.clauses)
    with pytest.raises(IndexError):
        rows[len(data.clauses)]


def test_a_lazy_mapping_keeps_its_bound():
    """The bounded cache the shared context and the shared retriever's plan rows both use."""
    from assistant.store.lazy import Lazy

    loads = []
    cache = Lazy(lambda d: loads.append(d) or d, size=2)
    for d in ["a", "b", "a", "c", "a", "b"]:
        assert cache[d] == d
    assert loads == ["a", "b", "c", "b"] and len(cache) == 2  # b was the least recently used when c came


def test_lazy_mappings_together_keep_within_their_byte_budget(monkeypatch):
    """Values whose size grows (an indicator's rows of every plan) are bounded by bytes across all mappings, the
    least recently used first; a value in use is kept even past the budget; what is read is the same."""
    import assistant.store.lazy as lazy

    budget = lazy._Budget(limit=10_000)
    monkeypatch.setattr(lazy, "IN_USE_S", 0.0)
    loads = []
    big = lazy.Lazy(lambda k: loads.append(k) or ["x" * 1_000 + str(i) for i in range(k)], size=100, budget=budget)
    small = lazy.Lazy(lambda k: loads.append(k) or str(k), size=100, budget=budget)
    for k in [2, 3, 2]:
        assert big[k] == ["x" * 1_000 + str(i) for i in range(k)]
    assert loads == [2, 3] and budget.total <= budget.limit
    assert big[12] and len(big) == 1 and budget.total > budget.limit  # 12 KB alone: kept, the others dropped
    assert small["a"] == "a" and len(big) == 0 and budget.total <= budget.limit  # dropped once no longer in use
    assert big[2] and loads[-1] == 2  # read again when asked again
    assert lazy.held_bytes(["x" * 1_000 + str(i) for i in range(4)]) >= 4_000 > lazy.held_bytes(["x" * 1_000] * 4)
    monkeypatch.setattr(lazy, "IN_USE_S", 60.0)  # values used within the window stay, whatever the budget
    for k in [5, 6, 7]:
        big[k]
    assert len(big) == 4 and budget.total > budget.limit
    del big, small
    import gc

    gc.collect()
    assert budget.total == 0  # mappings that are gone free their share
