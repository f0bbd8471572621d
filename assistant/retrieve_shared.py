"""Clause retrieval over the shared stores: the same ``Retriever.search`` on Milvus.

Filters become Milvus filter expressions (doc_id, population, domain_key, section) applied inside the
search, so as with the embedded backend a filter never loses a clause to the top-k cut. The BM25 list
is an exact sparse inner product (assistant/store/milvus.py) and the dense list an exact FLAT inner
product; both are fused here by the same weighted reciprocal rank as the embedded backend
(``assistant.retrieve.fuse``), so both backends return the same clauses. Milvus' own fusion
(hybrid_search with an RRFRanker, unweighted) is ``mode="server-rrf"`` for comparison in bench/retrieval.py.

A search scoped to a few plans (most questions name their own plan) is ranked here instead: each plan's
rows (vectors, BM25 weights, filter fields) are read once by primary key and kept for the PLAN_ROWS most
recently searched plans, and the same exact inner products rank them. Milvus Lite filters a search in time
linear in the whole collection (~55 ms per search at 500 plans, whatever the filter; a partition key did not
change it), while one plan's rows are a few hundred (bench/RESULTS.md, "Scale: plan-scoped search").
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

from assistant.config import Settings
from assistant.ingest import Ingested
from assistant.models import Clause, DocMeta
from assistant.retrieve import DEFAULT_MODE, FUSION_DEPTH, SHARED_POPULATION, Filters, Mode, Retriever, _Query
from assistant.store.embeddings import Embedder
from assistant.store.milvus import MilvusClauseIndex, PlanRows, expr_and, expr_in, query_sparse
from assistant.store.lazy import BuildReader, ClauseRows, Lazy
from assistant.store.shared import Build, current_build, open_build, open_clause_index, sql_store

NOTHING = "row < 0"  # a filter no clause passes (an empty doc list); rows are >= 0
TIE_MARGIN = 10  # extra hits read past k so equal scores are cut by row, as the embedded backend does
# Scores this close (relative) are one score: Milvus and FAISS/numpy sum float32 products in another order and
# differ by an ulp or two (~1e-7); genuinely different clauses measured 7e-7 apart and stay apart.
TIE_REL = 4e-7
LOCAL_DOCS = 4  # a search scoped to at most this many plans ranks their rows here (a comparison names 2-3)
# plans whose rows a replica keeps: ~0.6 MB each (~280 clauses of 384 float32 and their BM25 weights), so
# ~20 MB at most, whatever the number of plans; a chat asks about a few plans at a time
PLAN_ROWS = 32


@dataclass(frozen=True)
class Scope:
    """Which rows may compete: the Milvus filter expression (None: all) and, when it names documents,
    those documents and the other filters, so a search of a few plans can be ranked from their rows."""

    expr: str | None
    docs: tuple[str, ...] | None = None
    population: tuple[str, ...] | None = None
    domain_key: tuple[str, ...] | None = None
    section: tuple[str, ...] | None = None


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
        # the PLAN_ROWS most recently searched plans' rows (PlanRows), read once each (thread-safe)
        self.plans: Lazy[str, PlanRows] = Lazy(lambda d: self.index.rows(self._rows_of(d), self.embedder.dim), PLAN_ROWS)
        self._rows_by_doc: dict[str, list[int]] | None = None
        self.startup_seconds = time.perf_counter() - t0

    def _rows_of(self, doc_id: str) -> list[int]:
        """A document's rows: from the database (a lazily read build), or the clause list when it is held."""
        if isinstance(self.clauses, ClauseRows):
            return self.clauses.cache.reader.rows_of(doc_id)
        if self._rows_by_doc is None:
            by: dict[str, list[int]] = {}
            for i, c in enumerate(self.clauses):
                by.setdefault(c.doc_id, []).append(i)
            self._rows_by_doc = by
        return self._rows_by_doc.get(doc_id, [])

    # ---- scopes are filter expressions ---------------------------------------------------------
    def _scope(self, filters: Filters | None) -> Scope:
        if filters is None:
            return Scope(None)
        parts: list[str | None] = []
        docs = pops = None
        if filters.doc_ids is not None:
            if not filters.doc_ids:
                return Scope(NOTHING)
            docs = tuple(dict.fromkeys(filters.doc_ids))
            parts.append(expr_in("doc_id", list(docs)))
        if filters.population:
            pops = (filters.population,) + ((SHARED_POPULATION,) if filters.include_shared else ())
            parts.append(expr_in("population", list(pops)))
        if filters.domain_key:
            parts.append(expr_in("domain_key", [filters.domain_key]))
        if filters.section:
            parts.append(expr_in("section", [filters.section]))
        return Scope(expr_and(parts), docs, pops, (filters.domain_key,) if filters.domain_key else None,
                     (filters.section,) if filters.section else None)

    def _doc_scope(self, scope: Scope, doc_id: str) -> Scope:
        if scope.expr == NOTHING:
            return scope
        if scope.docs is not None and doc_id not in scope.docs:
            return Scope(NOTHING)
        rest = [expr_in(f, list(v)) for f, v in (("population", scope.population), ("domain_key", scope.domain_key),
                                                 ("section", scope.section)) if v]
        return Scope(expr_and([expr_in("doc_id", [doc_id]), *rest]), (doc_id,), scope.population, scope.domain_key,
                     scope.section)

    @staticmethod
    def _empty(scope: Scope) -> bool:
        return scope.expr == NOTHING

    def _local(self, scope: Scope) -> list[tuple[PlanRows, object]] | None:
        """(plan rows, mask) of each plan of a scope of at most LOCAL_DOCS plans; None: search Milvus."""
        if scope.docs is None or len(scope.docs) > LOCAL_DOCS:
            return None
        out = []
        for d in scope.docs:
            plan = self.plans[d]
            out.append((plan, plan.mask(population=scope.population, domain_key=scope.domain_key,
                                        section=scope.section)))
        return out

    def mask(self, filters: Filters | None):  # pragma: no cover - a guard for callers of the embedded API
        raise NotImplementedError("the shared retriever filters inside Milvus; use search(filters=...)")

    # ---- the two lists ----------------------------------------------------------------------------
    def _bm25(self, q: _Query, scope: Scope, k: int) -> list[tuple[int, float]]:
        qs = query_sparse(self._tokens(q))
        local = self._local(scope)
        if local is None:
            hits = self.index.sparse(qs, k + TIE_MARGIN, scope.expr)
        else:  # every scoring row of the plans: the cut below sees all ties, as the embedded backend does
            hits = [h for plan, m in local for h in plan.sparse(qs, m)] if qs else []
        return _order(hits, highest_row_first=False)[:k]

    def _dense(self, q: _Query, scope: Scope, k: int) -> list[tuple[int, float]]:
        """Equal cosines (the same text in several plans) in the embedded backend's order: FAISS keeps
        the lowest rows among ties and returns them highest row first."""
        local = self._local(scope)
        if local is None:
            hits = self.index.dense(self._vec(q), k + TIE_MARGIN, scope.expr)
        else:
            hits = [h for plan, m in local for h in plan.dense(self._vec(q), m)]
        return _order(_order(hits, highest_row_first=False)[:k], highest_row_first=True)

    def server_rrf(self, query: str, k: int = 5, filters: Filters | None = None) -> list[tuple[int, float]]:
        """Milvus hybrid_search + RRFRanker (unweighted): the server-side fusion, for the bench."""
        q = _Query(query)
        return self.index.hybrid(self._vec(q), query_sparse(self._tokens(q)), k, self._scope(filters).expr,
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
