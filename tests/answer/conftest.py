"""A small real corpus for the answer strategies: a handful of clauses parsed by the real parser
from the real plan texts (never prose written for the test), their target rows from the real
extractor, and a real keyword retriever over just those clauses that honours the Searcher contract
(the way simonw/llm's tests register a MockModel that honours the model contract)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answer.context import Context
from assistant.answer.parse import read_turn
from assistant.answer.state import DialogueState, advance, resolve
from assistant.ingest.targets import extract
from assistant.models import Clause
from assistant.retrieve import Filters, Hit
from assistant.store.bm25 import BM25Retriever, ChineseTokenizer

# The clauses the fixture keeps: two plans' maternal-mortality goals (same 7/10万), 曾都's two-year
# goal written in words, a goal with a figure and a words-only target in one clause, a measure with
# a figure the targets table has no row for (50米), 曾都's owner rule for monitoring, and 曾都's header.
FIXTURE_CLAUSES = [
    "beijing:妇女/健康/主要目标/2",
    "dongcheng:妇女/健康/主要目标/2",
    "zengdu:妇女/健康/主要目标/2",
    "zengdu:妇女/健康/主要目标/3",
    "dongcheng:儿童/安全/策略措施/5",
    "zengdu:妇女/监测评估/2",
    "zengdu:综合/印发通知/2",
    "zengdu:综合/印发通知/12",
]


class KeywordSearcher:
    """Jieba BM25 over the fixture clauses, with the filters of assistant.retrieve.Filters."""

    def __init__(self, clauses: list[Clause], docs):
        self.clauses = clauses
        self.tokenizer = ChineseTokenizer.for_docs(docs)
        self.bm25 = BM25Retriever([c.text for c in clauses], self.tokenizer)

    def search(self, text: str, k: int = 5, filters: Filters | None = None, per_doc_k: int | None = None) -> list[Hit]:
        f = filters or Filters()
        mask = np.array([(f.doc_ids is None or c.doc_id in f.doc_ids)
                         and (f.population is None or c.population in (f.population, "综合")) for c in self.clauses])
        ranked = self.bm25.search(text, k=len(self.clauses), mask=mask)
        hits, per_doc = [], {}
        for row, score in ranked:
            c = self.clauses[row]
            if per_doc_k is not None:
                if per_doc.get(c.doc_id, 0) >= per_doc_k:
                    continue
                per_doc[c.doc_id] = per_doc.get(c.doc_id, 0) + 1
            hits.append(Hit(clause_id=c.clause_id, doc_id=c.doc_id, score=score, rank=len(hits) + 1, clause=c))
        return hits[:k] if per_doc_k is None else hits


@pytest.fixture(scope="session")
def small_ctx(tables) -> Context:
    by_id = {c.clause_id: c for c in tables.clauses}
    clauses = [by_id[i] for i in FIXTURE_CLAUSES]
    docs = tables.docs
    meta = {d.doc_id: d for d in docs}
    targets = [t for c in clauses for t in extract(c, meta[c.doc_id])]
    return Context(docs, clauses, targets, KeywordSearcher(clauses, docs))


@pytest.fixture(scope="session")
def ask_query(tables):
    """question (and earlier turns) -> the Query the strategies see."""
    def read(question: str, history: list[str] = ()):
        state = DialogueState()
        for h in history:
            state = advance(state, read_turn(h, tables.docs), tables.docs)
        return resolve(read_turn(question, tables.docs), state, tables.docs)

    return read


def write_shared_build(store, tables, plans) -> tuple:
    """Some whole plans of the real corpus written as one active shared build by the real build code
    (tables and the sentence index): (their Ingested data, a KeywordSearcher over them, the build id)."""
    from assistant.ingest import Ingested
    from assistant.store.sentences import TOKEN_MARK, sentence_terms, term_weights

    keep = set(plans)
    data = Ingested([d for d in tables.docs if d.doc_id in keep], [c for c in tables.clauses if c.doc_id in keep],
                    [t for t in tables.targets if t.doc_id in keep], [], tables.fingerprint)
    searcher = KeywordSearcher(data.clauses, data.docs)
    rows = list(sentence_terms(data.clauses, searcher.tokenizer))
    bigram_idf, token_idf = term_weights(rows)
    bid = store.begin_build(data.fingerprint, "c1")
    store.write_tables(bid, data, rows, bigram_idf | {TOKEN_MARK + t: w for t, w in token_idf.items()})
    store.activate(bid)
    return data, searcher, bid
