"""Clause search in Milvus: one collection per build, dense + sparse (BM25) vectors and filter fields.

    idx = MilvusClauseIndex.create(uri, "planqa_clauses_<build>", dim, "FLAT", len(clauses))   # the build step
    idx.insert(rows); idx.finish()
    idx = MilvusClauseIndex.open(uri, name)                              # a serving replica
    idx.dense(qvec, k, expr)  /  idx.sparse({term_id: 1.0}, k, expr)  ->  [(row, score)]
    idx.hybrid(qvec, qsparse, k, expr)                                    # Milvus hybrid_search + RRFRanker
    plan = idx.rows([rows of one plan])   ->  PlanRows: plan.dense(qvec, k, mask) / plan.sparse(q, k, mask)

``uri``: a local file path runs Milvus Lite in this process (tests, one machine); ``http://host:19530``
talks to a Milvus standalone or cluster, which all replicas share. Each row is one clause: ``row`` (its
position in the build's clause list, the primary key), ``clause_id``, the filter fields (doc_id,
region, level, population, domain_key, section), ``dense`` (the embedding, inner product = cosine)
and ``sparse``: the clause's Okapi BM25 term weights over the project's jieba tokens
(assistant/store/bm25.py), so an inner product with a query's {term: 1} is exactly the BM25 score
the embedded backend computes. Terms become sparse dimensions by a 31-bit hash (``term_id``).
The dense index is FLAT (exact), IVF_FLAT or HNSW (``create(..., dense_index=)``; shared.dense_index picks it).

``rows`` reads a few hundred rows by primary key into a ``PlanRows``, which ranks them exactly in the
process (the same inner products, dense and sparse, as the collection's search): a search scoped to one
plan reads that plan's rows once instead of filtering the whole collection on every search, which Milvus
Lite does in time linear in the collection (bench/RESULTS.md, "Scale: plan-scoped search").
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from typing import Iterable, Sequence

import numpy as np

from assistant.store.bm25 import BM25Index, BM25Stats

log = logging.getLogger(__name__)

TERM_BITS = 31  # sparse dimensions are uint32 in Milvus; 31 bits keeps them positive everywhere
EMPTY_TERM = 0  # reserved dimension for a clause with no tokens (Milvus rejects an empty sparse row)
EMPTY_WEIGHT = 1e-6  # its weight: no query term ever maps to dimension 0, so it never scores
VARCHAR_MAX = 512  # longest clause id / label field (ids are ~40 chars)
FIELD_MAX = 128  # longest region / section / domain value
RRF_K = 60  # Milvus RRFRanker's k, the same constant as assistant.retrieve.RRF_K
INSERT_BATCH = 1_000  # rows per insert call: keeps one gRPC message well under Milvus' 64 MB cap
GET_BATCH = 1_000  # rows per get (read by primary key) call: ~2 MB of vectors and weights
PLAN_FIELDS = ("population", "domain_key", "section")  # the filter fields a PlanRows masks by (doc_id: one plan)
FILTER_FIELDS = ("doc_id", "region", "level", "population", "domain_key", "section")
# The dense index (Settings.milvus_index). FLAT is exact: both backends rank alike. Milvus Lite 3.2.2 does build
# HNSW / IVF_FLAT / IVF_SQ8 (faiss, per segment, at load), but every search first walks every row in Python, so at
# 556k clauses an approximate index only takes a dense search from ~990 to ~220-250 ms and its sparse search stays
# exact (bench/RESULTS.md, "Scale: region-less search at 2,000 plans"). On a Milvus server (2.3.5 standalone, 556,770
# rows of near-copies of 1,116 clause vectors, as plans copying their city's wording hold; bench/RESULTS.md "Scale: a
# Milvus server's dense search") exact FLAT took p50 / p95 46 / 58 ms, IVF_FLAT 8 / 17 ms at recall@60 0.997 (min
# 0.95), HNSW 4 / 7 ms but recall 0.79 (min 0.18; 0.95 / 0.35 at ef 512): many equal-looking neighbours trap its
# graph walk. So a server build defaults to IVF_FLAT (shared.dense_index); HNSW stays a setting.
DENSE_INDEXES = ("FLAT", "IVF_FLAT", "HNSW")
IVF_NLIST = 1024  # clusters at most: what was measured at 556,770 clauses (Milvus suggests ~4*sqrt(rows), ~3,000)
IVF_NPROBE = 64  # clusters a search reads (6% of 1,024): recall@60 0.997 (nprobe 16: 0.960, min 0.77) for 8 ms p50
# fewer clusters for a smaller build: at least this many clauses each, so a search reads the same share or more (a
# 10-plan build of ~2,800 clauses has 5 clusters, all read: exact; 2,000 plans get the measured 1,024)
IVF_ROWS_PER_LIST = 512
HNSW_M = 16  # links per node: Milvus' suggested middle (4-64); ~128 bytes per 384-d vector on top of its 1.5 kB
HNSW_EF_CONSTRUCTION = 200  # candidates per insert: the usual value for recall > 0.95 at M = 16
HNSW_EF = 128  # candidates per search (at least k): recall over speed, a search asks for <= ~100 rows
# Searches wait for the server's data up to 5 s ago, not up to now: on a Milvus server (2.3.5 standalone, 556,770
# rows, HNSW) a Strong search waited for the next time tick, p50 200 ms against 4.3 ms Bounded (bench/RESULTS.md,
# "Scale: a Milvus server's dense search"). Nothing is lost: a build is flushed and loaded before readers switch to
# its collection, and nothing writes to a collection after that. Stated, not left to pymilvus' default (Milvus Lite
# ignores it and reports Strong).
CONSISTENCY = "Bounded"

_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def client(uri: str):
    """One MilvusClient per uri and process (Milvus Lite allows one opener of a file)."""
    from pymilvus import MilvusClient

    with _clients_lock:
        if uri not in _clients:
            _clients[uri] = MilvusClient(uri=uri)
        return _clients[uri]


def release(uri: str) -> None:
    """Close this process's client of ``uri`` (a Milvus Lite file is then free for another process)."""
    with _clients_lock:
        c = _clients.pop(uri, None)
    if c is not None:
        c.close()


def term_id(term: str) -> int:
    """Stable sparse dimension of a token (never EMPTY_TERM)."""
    h = int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest(), "big")
    return (h & ((1 << TERM_BITS) - 1)) or 1


def sparse_row(weights: Iterable[tuple[str, float]]) -> dict[int, float]:
    """One document's sparse row from its (term, BM25 weight) pairs (terms sharing a dimension add up)."""
    row: dict[int, float] = {}
    for term, w in weights:
        tid = term_id(term)
        row[tid] = row.get(tid, 0.0) + w
    return row or {EMPTY_TERM: EMPTY_WEIGHT}


def bm25_rows(index: BM25Index) -> list[dict[int, float]]:
    """Each document's BM25 weight per term, as sparse rows (what ``BM25Index.scores`` sums)."""
    docs: list[list[tuple[str, float]]] = [[] for _ in range(index.n)]
    for term, (ids, weights) in index._post.items():
        for i, w in zip(ids.tolist(), weights.tolist()):
            docs[i].append((term, w))
    return [sparse_row(d) for d in docs]


def stats_rows(stats: BM25Stats, start: int, stop: int) -> list[dict[int, float]]:
    """The sparse rows of documents ``start``..``stop`` of a streamed BM25Stats (equal to ``bm25_rows``)."""
    return [sparse_row(d) for d in stats.weights(start, stop)]


def dense_index_params(kind: str, rows: int) -> dict:
    """Build parameters of a dense index type (one of DENSE_INDEXES) for a collection of ``rows`` clauses."""
    if kind not in DENSE_INDEXES:
        raise ValueError(f"unknown Milvus dense index {kind!r}: one of {', '.join(DENSE_INDEXES)}")
    nlist = max(1, min(IVF_NLIST, rows // IVF_ROWS_PER_LIST))
    return {"HNSW": {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION}, "IVF_FLAT": {"nlist": nlist}}.get(kind, {})


def dense_search_params(kind: str, k: int) -> dict:
    """Search parameters of a dense index type for the best ``k`` (HNSW needs ef >= k)."""
    return {"HNSW": {"ef": max(HNSW_EF, k)}, "IVF_FLAT": {"nprobe": IVF_NPROBE}}.get(kind, {})


def query_sparse(tokens: Iterable[str]) -> dict[int, float]:
    out: dict[int, float] = {}
    for t in dict.fromkeys(tokens):
        out[term_id(t)] = out.get(term_id(t), 0.0) + 1.0
    return out


def _lit(v: str) -> str:
    return json.dumps(str(v), ensure_ascii=False)


def expr_in(field: str, values: Sequence[str]) -> str:
    if len(values) == 1:
        return f"{field} == {_lit(values[0])}"
    return f"{field} in [{', '.join(_lit(v) for v in values)}]"


def expr_and(parts: Sequence[str | None]) -> str | None:
    parts = [p for p in parts if p]
    if not parts:
        return None
    return " and ".join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]


class PlanRows:
    """Rows of the collection held in the process and ranked exactly: one plan's few hundred clauses.

    ``dense`` is the inner product with each row's vector (float32), ``sparse`` the sum of each row's
    BM25 weights over the query's term ids in the query's order (float32, as BM25Index.scores adds them);
    both return every scoring row in row order, for the caller to cut as it cuts the collection's hits."""

    def __init__(self, rows: Sequence[dict], dim: int):
        rows = sorted(rows, key=lambda r: int(r["row"]))
        self.rows = np.array([int(r["row"]) for r in rows], dtype=np.int64)
        self.vectors = (np.stack([np.asarray(r["dense"], dtype=np.float32) for r in rows]) if rows
                        else np.zeros((0, dim), dtype=np.float32))
        self.fields = {f: np.array([r[f] for r in rows], dtype=object) for f in PLAN_FIELDS}
        post: dict[int, tuple[list[int], list[float]]] = {}
        for i, r in enumerate(rows):
            for t, w in r["sparse"].items():
                p = post.setdefault(int(t), ([], []))
                p[0].append(i)
                p[1].append(w)
        self.postings = {t: (np.array(ix, dtype=np.int64), np.array(ws, dtype=np.float32)) for t, (ix, ws) in post.items()}

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def nbytes(self) -> int:
        return self.vectors.nbytes + sum(a.nbytes + b.nbytes for a, b in self.postings.values())

    def mask(self, **allowed: Sequence[str] | None) -> np.ndarray | None:
        """Rows whose PLAN_FIELDS values are among the allowed ones (a field given None: any value)."""
        m = None
        for f, values in allowed.items():
            if values is not None:
                fm = np.isin(self.fields[f], list(values))
                m = fm if m is None else m & fm
        return m

    def _hits(self, scores: np.ndarray, keep: np.ndarray) -> list[tuple[int, float]]:
        return [(int(r), float(s)) for r, s in zip(self.rows[keep], scores[keep])]

    def dense(self, qvec: np.ndarray, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        s = self.vectors @ np.asarray(qvec, dtype=np.float32)
        return self._hits(s, np.ones(len(s), dtype=bool) if mask is None else mask)

    def sparse(self, q: dict[int, float], mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        s = np.zeros(len(self.rows), dtype=np.float32)
        for t, qw in q.items():
            p = self.postings.get(t)
            if p is not None:
                s[p[0]] += p[1] if qw == 1.0 else np.float32(qw) * p[1]
        keep = s > 0
        return self._hits(s, keep if mask is None else keep & mask)


class MilvusClauseIndex:
    def __init__(self, uri: str, name: str, dense_index: str = "FLAT"):
        self.uri, self.name, self.dense_index = uri, name, dense_index
        self.client = client(uri)

    # ---- build --------------------------------------------------------------------------------
    @classmethod
    def create(cls, uri: str, name: str, dim: int, dense_index: str = "FLAT", rows: int = 0) -> "MilvusClauseIndex":
        """A new collection for ``rows`` clauses (an IVF index's cluster count follows it; 0: one cluster)."""
        from pymilvus import DataType, MilvusClient

        c = client(uri)
        if c.has_collection(name):
            c.drop_collection(name)
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("row", DataType.INT64, is_primary=True)
        schema.add_field("clause_id", DataType.VARCHAR, max_length=VARCHAR_MAX)
        for f in FILTER_FIELDS:
            schema.add_field(f, DataType.VARCHAR, max_length=VARCHAR_MAX if f == "doc_id" else FIELD_MAX)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        ip = c.prepare_index_params()
        ip.add_index(field_name="dense", index_type=dense_index, metric_type="IP", params=dense_index_params(dense_index, rows))
        ip.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        for f in ("doc_id", "population", "domain_key", "section"):
            ip.add_index(field_name=f, index_type="INVERTED")
        c.create_collection(name, schema=schema, index_params=ip, consistency_level=CONSISTENCY)
        return cls(uri, name, dense_index)

    def insert(self, rows: Sequence[dict]) -> None:
        for i in range(0, len(rows), INSERT_BATCH):
            self.client.insert(self.name, list(rows[i:i + INSERT_BATCH]))

    def finish(self) -> None:
        self.client.flush(self.name)
        self.client.load_collection(self.name)

    @classmethod
    def open(cls, uri: str, name: str) -> "MilvusClauseIndex":
        c = client(uri)
        if not c.has_collection(name):
            raise FileNotFoundError(f"Milvus collection {name} not found at {uri}; run `python -m assistant build`")
        c.load_collection(name)
        # the build chose the index; a replica searches it with that index's parameters, whatever its own settings
        index = cls(uri, name, c.describe_index(name, "dense").get("index_type", "FLAT"))
        # Milvus Lite builds its sparse index lazily, on the first sparse search after its server starts (26 s at
        # 556,770 clauses, bench/RESULTS.md): one search now pays that at start-up, not on a staff member's question
        index.sparse({EMPTY_TERM: 1.0}, 1)  # (the reserved dimension: any term would do, this one means nothing)
        return index

    def drop(self) -> None:
        if self.client.has_collection(self.name):
            self.client.drop_collection(self.name)

    def count(self) -> int:
        return int(self.client.query(self.name, filter="", output_fields=["count(*)"])[0]["count(*)"])

    def rows(self, ids: Sequence[int], dim: int) -> PlanRows:
        """These rows (primary keys) read into a PlanRows: vectors, BM25 weights and the plan's filter fields."""
        got: list[dict] = []
        for i in range(0, len(ids), GET_BATCH):
            # strict_float32: the vectors come back as one float32 array, not a Python float per dimension
            got += [dict(r) for r in self.client.get(self.name, ids=list(ids[i:i + GET_BATCH]), strict_float32=True,
                                                     output_fields=["row", "dense", "sparse", *PLAN_FIELDS])]
        return PlanRows(got, dim)

    # ---- search -------------------------------------------------------------------------------
    def _search(self, data, field: str, k: int, expr: str | None) -> list[tuple[int, float]]:
        if k <= 0:
            return []
        res = self.client.search(self.name, data=[data], anns_field=field, limit=k, filter=expr or "",
                                 output_fields=["row"], search_params=self._params(field, k))
        return [(int(h["entity"]["row"]), float(h["distance"])) for h in res[0]]

    def _params(self, field: str, k: int) -> dict:
        p = dense_search_params(self.dense_index, k) if field == "dense" else {}
        return {"metric_type": "IP", **({"params": p} if p else {})}

    def dense(self, qvec: np.ndarray, k: int, expr: str | None = None) -> list[tuple[int, float]]:
        return self._search(np.asarray(qvec, dtype=np.float32).tolist(), "dense", k, expr)

    def sparse(self, q: dict[int, float], k: int, expr: str | None = None) -> list[tuple[int, float]]:
        if not q:
            return []
        hits = self._search(q, "sparse", k, expr)
        return [(r, s) for r, s in hits if s > 0]

    def hybrid(self, qvec: np.ndarray, q: dict[int, float], k: int, expr: str | None = None,
               depth: int = 50) -> list[tuple[int, float]]:
        """Milvus' own fusion: hybrid_search of both lists with an RRFRanker (unweighted)."""
        from pymilvus import AnnSearchRequest, RRFRanker

        reqs = [AnnSearchRequest(data=[np.asarray(qvec, dtype=np.float32).tolist()], anns_field="dense",
                                 param=self._params("dense", depth), limit=depth, expr=expr or None)]
        if q:
            reqs.append(AnnSearchRequest(data=[q], anns_field="sparse", param={"metric_type": "IP"}, limit=depth,
                                         expr=expr or None))
        res = self.client.hybrid_search(self.name, reqs, RRFRanker(RRF_K), limit=k, output_fields=["row"])
        return [(int(h["entity"]["row"]), float(h["distance"])) for h in res[0]]
