"""Clause retrieval over the shared stores: the same ``Retriever.search`` on Milvus.

Filters become Milvus filter expressions (doc_id, population, domain_key, section) applied inside the
search, so as with the embedded backend a filter never loses a clause to the top-k cut. The BM25 list
is an exact sparse inner product (assistant/store/milvus.py) and the dense list an exact FLAT inner
product; both are fused here by the same weighted reciprocal rank as the embedded backend
(``assistant.retrieve.fuse``), so both backends return the same clauses. Milvus' own fusion
(hybrid_search with an RRFRanker, unweighted) is ``mode="server-rrf"`` for comparison in bench/retrieval.py.
"""

from __future__ import annotations

import time
from typing import Sequence

from assistant.config import Settings
from assistant.ingest import Ingested
from assistant.models import Clause, DocMeta
from assistant.retrieve import DEFAULT_MODE, FUSION_DEPTH, SHARED_POPULATION, Filters, Mode, Retriever, _Query
from assistant.store.embeddings import Embedder
from assistant.store.milvus import MilvusClauseIndex, expr_and, expr_in, query_sparse
from assistant.store.lazy import BuildReader, ClauseRows
from assistant.store.shared import Build, current_build, open_build, open_clause_index, sql_store

NOTHING = "row < 0"  # a filter no clause passes (an empty doc list); rows are >= 0
TIE_MARGIN = 10  # extra hits read past k so equal scores are cut by row, as the embedded backend does
# Scores this close (relative) are one score: Milvus and FAISS/numpy sum float32 products in another order and
# differ by an ulp or two (~1e-7); genuinely different clauses measured 7e-7 apart and stay apart.
TIE_REL = 4e-7


def _order(hits: list[tuple[int, float]], highest_row_first: bool) -> list[tuple[int, float]]:
    """Best score first; scores within TIE_REL of each other count as equal and go by row."""
    hits = sorted(hits, key=lambda h: -h[1])
    out: list[tuple[int, float]] = []
    i = 0
    while i < len(hits):
        j = i + 1
        while j < len(hits) and hits[i][1] - hits[j][1] <= TIE_REL * abs(hits[i][1]):
            j += 1
        out += sorted(hits[i:j], key=lambda h: -h[0] if highest_row_first else h[0])
        i = j
    return out


class SharedRetriever(Retriever):
    def __init__(self, settings: Settings, clauses: Sequence[Clause], docs: Sequence[DocMeta],
                 index: MilvusClauseIndex, *, mode: Mode = DEFAULT_MODE, weights: dict[str, float] | None = None,
                 embedder: Embedder | None = None) -> None:
        """``clauses``: the build's clauses by row, a list or a ClauseRows that reads them when a hit needs one."""
        # Not Retriever.__init__: that builds the in-process BM25 and FAISS indexes this class replaces.
        t0 = time.perf_counter()
        self._common(settings, [], docs, mode, weights, embedder)
        self.clauses = clauses if isinstance(clauses, ClauseRows) else list(clauses)  # type: ignore[assignment]
        self.doc_ids = list(dict.fromkeys([d.doc_id for d in self.docs] + (
            [] if isinstance(clauses, ClauseRows) else [c.doc_id for c in self.clauses])))
        self.index = index
        self.startup_seconds = time.perf_counter() - t0

    # ---- scopes are filter expressions ---------------------------------------------------------
    def _scope(self, filters: Filters | None) -> str | None:
        if filters is None:
            return None
        parts: list[str | None] = []
        if filters.doc_ids is not None:
            if not filters.doc_ids:
                return NOTHING
            parts.append(expr_in("doc_id", list(dict.fromkeys(filters.doc_ids))))
        if filters.population:
            pops = [filters.population] + ([SHARED_POPULATION] if filters.include_shared else [])
            parts.append(expr_in("population", pops))
        if filters.domain_key:
            parts.append(expr_in("domain_key", [filters.domain_key]))
        if filters.section:
            parts.append(expr_in("section", [filters.section]))
        return expr_and(parts)

    def _doc_scope(self, scope: str | None, doc_id: str) -> str | None:
        return scope if scope == NOTHING else expr_and([expr_in("doc_id", [doc_id]), scope])

    @staticmethod
    def _empty(scope) -> bool:
        return scope == NOTHING

    def mask(self, filters: Filters | None):  # pragma: no cover - a guard for callers of the embedded API
        raise NotImplementedError("the shared retriever filters inside Milvus; use search(filters=...)")

    # ---- the two lists ----------------------------------------------------------------------------
    def _bm25(self, q: _Query, scope: str | None, k: int) -> list[tuple[int, float]]:
        hits = self.index.sparse(query_sparse(self._tokens(q)), k + TIE_MARGIN, scope)
        return _order(hits, highest_row_first=False)[:k]

    def _dense(self, q: _Query, scope: str | None, k: int) -> list[tuple[int, float]]:
        """Equal cosines (the same text in several plans) in the embedded backend's order: FAISS keeps
        the lowest rows among ties and returns them highest row first."""
        hits = self.index.dense(self._vec(q), k + TIE_MARGIN, scope)
        return _order(_order(hits, highest_row_first=False)[:k], highest_row_first=True)

    def server_rrf(self, query: str, k: int = 5, filters: Filters | None = None) -> list[tuple[int, float]]:
        """Milvus hybrid_search + RRFRanker (unweighted): the server-side fusion, for the bench."""
        q = _Query(query)
        return self.index.hybrid(self._vec(q), query_sparse(self._tokens(q)), k, self._scope(filters),
                                 depth=max(k, FUSION_DEPTH))


def open_shared(settings: Settings, embedder: Embedder | None = None) -> tuple[Build, BuildReader, SharedRetriever]:
    """The current build read lazily (documents held, clauses and targets read when asked) and a
    retriever over its collection whose hits read their clauses through the same bounded cache."""
    build = current_build(settings)
    reader = BuildReader(sql_store(settings), build.build_id)
    index = open_clause_index(settings, build)
    return build, reader, SharedRetriever(settings, ClauseRows(reader.clause_cache()), reader.docs, index, embedder=embedder)


def load_shared(settings: Settings, embedder: Embedder | None = None) -> tuple[Build, Ingested, SharedRetriever]:
    """The current build's tables and a retriever over its collection (read only)."""
    build, data = open_build(settings)
    index = open_clause_index(settings, build)
    return build, data, SharedRetriever(settings, data.clauses, data.docs, index, embedder=embedder)
