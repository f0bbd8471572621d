"""Clause retrieval: BM25 (jieba), dense (FAISS) or both fused by reciprocal rank.

    r = Retriever(settings, clauses, docs)          # docs: list[DocMeta]
    r.search("孕产妇死亡率要控制在什么水平", k=5, filters=Filters(doc_ids=["beijing"]))
    r.search("孕产妇死亡率目标一样吗", filters=Filters(doc_ids=["dongcheng", "xicheng"]), per_doc_k=3)

Filters are applied before ranking in every mode (BM25 scores are masked; FAISS searches only
the allowed rows through an ID selector), so a filter never loses a clause to the top-k cut.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
from pydantic import BaseModel

from assistant.config import Settings
from assistant.models import Clause, DocMeta
from assistant.store.bm25 import BM25Retriever, ChineseTokenizer
from assistant.store.embeddings import Embedder, make_embedder
from assistant.store.vectors import VectorIndex, node_text

Mode = Literal["bm25", "dense", "fusion"]
MODES: tuple[Mode, ...] = ("bm25", "dense", "fusion")
# Measured with bench/retrieval.py on eval_sets/golden_dev.jsonl (see bench/RESULTS.md): with
# question-derived filters, fusion has the best recall@1; weighting BM25 2:1 kept recall@5 highest
# (plain 1:1 lost two more questions whose dense list was off-topic, e.g. abbreviations).
DEFAULT_MODE: Mode = "fusion"
RRF_K = 60
DEFAULT_WEIGHTS: dict[str, float] = {"bm25": 2.0, "dense": 1.0}
QUERY_CACHE = 256  # question embeddings kept (384 floats each: ~0.4 MB in all)
FUSION_DEPTH = 50  # how deep each list is read for reciprocal-rank fusion
SHARED_POPULATION = "综合"


class Filters(BaseModel):
    """Which clauses may be returned.  ``None`` means no restriction.

    ``population`` 妇女/儿童 also admits the plan's shared (综合) clauses — organisation,
    monitoring and overview text applies to both — unless ``include_shared`` is False."""

    doc_ids: list[str] | None = None
    population: str | None = None
    domain_key: str | None = None
    section: str | None = None
    include_shared: bool = True


class Hit(BaseModel):
    clause_id: str
    doc_id: str
    score: float  # fused RRF score, BM25 score or cosine, by mode
    rank: int  # 1-based position in the returned list
    clause: Clause


@dataclass
class _Query:
    text: str
    tokens: list[str] | None = None
    vec: np.ndarray | None = None
    cache: dict = field(default_factory=dict)


class Retriever:
    def __init__(
        self,
        settings: Settings,
        clauses: Sequence[Clause],
        docs: Sequence[DocMeta],
        *,
        mode: Mode = DEFAULT_MODE,
        weights: dict[str, float] | None = None,
        embedder: Embedder | None = None,
        corpus_fingerprint: str | None = None,
        progress: bool | None = None,
    ) -> None:
        """``progress``: show a tqdm bar while embedding (default: when stderr is a terminal)."""
        t0 = time.perf_counter()
        if progress is None:
            progress = sys.stderr.isatty()
        self._common(settings, clauses, docs, mode, weights, embedder)
        texts = [node_text(c) for c in self.clauses]
        self.bm25 = BM25Retriever(texts, self.tokenizer, cache_path=settings.index_dir / "bm25_tokens.json")
        self.vectors = VectorIndex.open(
            settings.index_dir,
            self.clauses,
            self.embedder,
            self.docs,
            corpus_fingerprint=corpus_fingerprint,
            progress=progress,
        )
        if self.vectors.clause_ids != [c.clause_id for c in self.clauses]:  # pragma: no cover - open() ensures it
            raise RuntimeError("vector index rows do not match the clauses")
        self._doc = np.array([c.doc_id for c in self.clauses], dtype=object)
        self._pop = np.array([c.population for c in self.clauses], dtype=object)
        self._dom = np.array([c.domain_key or "" for c in self.clauses], dtype=object)
        self._sec = np.array([c.section for c in self.clauses], dtype=object)
        self.startup_seconds = time.perf_counter() - t0

    def _common(self, settings, clauses, docs, mode, weights, embedder) -> None:
        """What every backend's retriever holds: settings, clauses, docs, mode, weights, embedder, tokenizer."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {MODES}")
        self.settings = settings
        self.clauses = list(clauses)
        self.docs = list(docs)
        self.mode: Mode = mode
        self.weights = {**DEFAULT_WEIGHTS, **(weights or {})}
        self.doc_ids = list(dict.fromkeys([d.doc_id for d in self.docs] + [c.doc_id for c in self.clauses]))
        self.embedder = embedder or make_embedder(settings)
        self.tokenizer = ChineseTokenizer.for_docs(self.docs)
        self._vec_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vec_lock = threading.Lock()

    # ------------------------------------------------------------------ public

    def search(
        self,
        query: str,
        k: int = 5,
        filters: Filters | None = None,
        per_doc_k: int | None = None,
        mode: Mode | None = None,
    ) -> list[Hit]:
        """Best clauses for ``query``.

        With ``per_doc_k`` every document in ``filters.doc_ids`` (all documents if unset) gets
        up to ``per_doc_k`` hits of its own, so a question spanning several plans loses none;
        they are interleaved (each document's best first, then each one's second, ...) and
        ``k`` is not applied."""
        mode = mode or self.mode
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {MODES}")
        q = _Query(query)
        scope = self._scope(filters)
        if per_doc_k is None:
            ranked = self._rank(q, scope, k, mode)
        else:
            docs = filters.doc_ids if filters and filters.doc_ids else self.doc_ids
            lists = []
            for d in dict.fromkeys(docs):
                lists.append(self._rank(q, self._doc_scope(scope, d), per_doc_k, mode))
            ranked = []
            for r in range(per_doc_k):
                ranked += sorted((lst[r] for lst in lists if len(lst) > r), key=lambda x: -x[1])
        return [
            Hit(clause_id=self.clauses[i].clause_id, doc_id=self.clauses[i].doc_id, score=s, rank=n, clause=self.clauses[i])
            for n, (i, s) in enumerate(ranked, 1)
        ]

    # A scope says which rows may compete: here a boolean mask (None = all rows); a subclass over a
    # server store (assistant/retrieve_shared.py) uses the store's filter expression instead.
    def _scope(self, filters: Filters | None):
        return self.mask(filters)

    def _doc_scope(self, scope, doc_id: str):
        m = self._doc == doc_id
        return m if scope is None else m & scope

    @staticmethod
    def _empty(scope) -> bool:
        return scope is not None and not scope.any()

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean row mask for ``filters``; None when nothing is filtered."""
        if filters is None:
            return None
        m = np.ones(len(self.clauses), dtype=bool)
        if filters.doc_ids is not None:
            m &= np.isin(self._doc, list(filters.doc_ids))
        if filters.population:
            pm = self._pop == filters.population
            if filters.include_shared:
                pm |= self._pop == SHARED_POPULATION
            m &= pm
        if filters.domain_key:
            m &= self._dom == filters.domain_key
        if filters.section:
            m &= self._sec == filters.section
        return None if m.all() else m

    # ------------------------------------------------------------------ ranking

    def _tokens(self, q: _Query) -> list[str]:
        if q.tokens is None:
            q.tokens = self.tokenizer.query(q.text)
        return q.tokens

    def _vec(self, q: _Query) -> np.ndarray:
        if q.vec is None:
            q.vec = self._query_vec(q.text)
        return q.vec

    def _query_vec(self, text: str) -> np.ndarray:
        """A question's embedding, kept for the QUERY_CACHE latest texts: one answer searches the same
        topic from several strategies (a figure search, the refusal's nearest clause…)."""
        with self._vec_lock:
            v = self._vec_cache.get(text)
            if v is not None:
                self._vec_cache.move_to_end(text)
                return v
        v = self.embedder.embed_queries([text])[0]
        with self._vec_lock:
            self._vec_cache[text] = v
            while len(self._vec_cache) > QUERY_CACHE:
                self._vec_cache.popitem(last=False)
        return v

    def _bm25(self, q: _Query, mask: np.ndarray | None, k: int) -> list[tuple[int, float]]:
        if "bm25" not in q.cache:
            q.cache["bm25"] = self.bm25.index.scores(self._tokens(q))
        s = q.cache["bm25"] if mask is None else np.where(mask, q.cache["bm25"], 0.0)
        cand = np.flatnonzero(s > 0)
        if len(cand) > k:  # the k best; among equal scores at the cut the lowest rows, so every backend agrees
            kth = np.partition(s[cand], len(cand) - k)[len(cand) - k]
            above, tied = cand[s[cand] > kth], cand[s[cand] == kth]
            cand = np.concatenate([above, tied[: k - len(above)]])
        cand = cand[np.lexsort((cand, -s[cand]))]
        return [(int(i), float(s[i])) for i in cand]

    def _dense(self, q: _Query, mask: np.ndarray | None, k: int) -> list[tuple[int, float]]:
        rows = None if mask is None else np.flatnonzero(mask)
        return self.vectors.search(self._vec(q), k, rows)

    def _rank(self, q: _Query, mask: np.ndarray | None, k: int, mode: Mode) -> list[tuple[int, float]]:
        if k <= 0 or self._empty(mask):
            return []
        if mode == "bm25":
            return self._bm25(q, mask, k)
        if mode == "dense":
            return self._dense(q, mask, k)
        depth = max(k, FUSION_DEPTH)
        return fuse(self._bm25(q, mask, depth), self._dense(q, mask, depth), self.weights, k)


def fuse(bm25: list[tuple[int, float]], dense: list[tuple[int, float]], weights: dict[str, float],
         k: int) -> list[tuple[int, float]]:
    """Weighted reciprocal-rank fusion of two ranked (row, score) lists; ties by cosine, then row."""
    fused: dict[int, float] = {}
    cos: dict[int, float] = {}
    for name, ranked in (("bm25", bm25), ("dense", dense)):
        w = weights.get(name, 1.0)
        for r, (i, s) in enumerate(ranked, 1):
            fused[i] = fused.get(i, 0.0) + w / (RRF_K + r)
            if name == "dense":
                cos[i] = s
    order = sorted(fused, key=lambda i: (-fused[i], -cos.get(i, -1.0), i))
    return [(i, fused[i]) for i in order[:k]]
