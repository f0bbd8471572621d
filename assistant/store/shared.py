"""Shared stores: the build step writes them, app replicas only read them.

    python -m assistant build         # build(settings): tables -> SQL, clauses -> a new Milvus collection,
                                      # then one switch of the current build id
    open_build(settings)              # a replica: (Build, Ingested tables) of the current build

Settings pick the backends (assistant/config.py): ``database_url`` (PostgreSQL, or any SQLAlchemy URL;
default ``sqlite:///INDEX/shared.sqlite``) and ``vector_uri`` (Milvus; default ``INDEX/milvus.db``,
Milvus Lite). A build embeds only clauses missing from the embedding cache (INDEX/embeddings.sqlite).
``milvus_index`` picks the dense index (``dense_index``: FLAT on Milvus Lite, IVF_FLAT on a server).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.config import Settings
from assistant.ingest import Ingested, ingest
from assistant.models import Clause, DocMeta
from assistant.store.bm25 import BM25Stats, ChineseTokenizer
from assistant.store.embeddings import CachedEmbedder, Embedder, EmbeddingCache, make_embedder
from assistant.store.milvus import FILTER_FIELDS, MilvusClauseIndex, stats_rows
from assistant.store.sentences import SentenceStream
from assistant.store.sql import Build, SqlStore, new_build_id
from assistant.store.vectors import CACHE_FILE, clause_metadata, node_text

log = logging.getLogger(__name__)
COLLECTION_PREFIX = "planqa_clauses_"
BUILD_BATCH = 2_000  # clauses per step of the Milvus pass: one step holds ~3 MB of vectors and sparse rows


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.index_dir / 'shared.sqlite'}"


def vector_uri(settings: Settings) -> str:
    return settings.vector_uri or str(settings.index_dir / "milvus.db")


_stores: dict[str, SqlStore] = {}


def sql_store(settings: Settings) -> SqlStore:
    """One SqlStore (one connection pool) per URL and process."""
    url = database_url(settings)
    if url not in _stores:
        _stores[url] = SqlStore(url)
    return _stores[url]


@dataclass
class BuildReport:
    build_id: str
    clauses: int
    embedded: int
    seconds: float
    pruned: list[str]


def dense_index(settings: Settings) -> str:
    """The dense index a build makes: ``milvus_index`` (PLANQA_MILVUS_INDEX) if set, else FLAT on a Milvus
    Lite file (exact; Lite's approximate indexes save little, its row walks dominate) and IVF_FLAT on a server
    (exact search time grows with the plans; IVF_FLAT kept recall@60 0.997 where HNSW gave 0.79, milvus.py)."""
    return settings.milvus_index or ("FLAT" if milvus_lite_file(settings) else "IVF_FLAT")


def clause_stats(clauses: Sequence[Clause], tokenizer: ChineseTokenizer) -> BM25Stats:
    """First pass over the clauses: BM25's corpus statistics (a clause's weights need every clause's terms)."""
    stats = BM25Stats()
    for c in clauses:
        stats.add(tokenizer(node_text(c)))
    return stats


def passage_texts(clauses: Sequence[Clause], docs: Sequence[DocMeta]) -> list[str]:
    """What each clause's passage vector embeds (the text the embedded backend's nodes embed)."""
    from assistant.store.vectors import clause_nodes
    from llama_index.core.schema import MetadataMode

    return [n.get_content(metadata_mode=MetadataMode.EMBED) for n in clause_nodes(clauses, docs)]


def clause_row(row: int, c: Clause, meta: DocMeta | None, vec: np.ndarray, sparse: dict[int, float]) -> dict:
    """One clause as a Milvus row (the vector stays float32 numpy: no list of Python floats)."""
    md = clause_metadata(c, meta)
    return {"row": row, "clause_id": c.clause_id, "dense": vec, "sparse": sparse,
            **{f: md[f] or "" for f in FILTER_FIELDS}}


def insert_clauses(idx: MilvusClauseIndex, settings: Settings, data: Ingested, embedder: Embedder,
                   stats: BM25Stats) -> int:
    """Second pass: each BUILD_BATCH of clauses embedded through the on-disk cache (only new texts are
    embedded), given its BM25 weights and inserted. Returns how many passages were embedded."""
    metas = {d.doc_id: d for d in data.docs}
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache(settings.index_dir / CACHE_FILE)
    try:
        cached = CachedEmbedder(embedder, cache)
        for start in range(0, len(data.clauses), BUILD_BATCH):
            batch = data.clauses[start:start + BUILD_BATCH]
            vecs = cached.embed_passages(passage_texts(batch, data.docs))
            sparse = stats_rows(stats, start, start + len(batch))
            idx.insert([clause_row(start + i, c, metas.get(c.doc_id), v, sp)
                        for i, (c, v, sp) in enumerate(zip(batch, vecs, sparse))])
    finally:
        cache.close()
    return cached.misses


def build(settings: Settings, data: Ingested | None = None, embedder: Embedder | None = None) -> BuildReport:
    """Write a new build to the shared stores and switch readers to it at the very end.

    Streamed: beyond the parsed corpus, the build holds each clause's term ids and counts (BM25Stats), the
    sentence terms' counts, and one batch of rows at a time; tables, sentence index and Milvus rows are
    written batch by batch (sql.INSERT_CHUNK, BUILD_BATCH)."""
    t0 = time.perf_counter()
    data = data or ingest(settings.corpus_dir)
    embedder = embedder or make_embedder(settings)
    store = sql_store(settings)
    uri = vector_uri(settings)
    tokenizer = ChineseTokenizer.for_docs(data.docs)
    stats = clause_stats(data.clauses, tokenizer)
    bid = new_build_id()
    name = COLLECTION_PREFIX + bid
    store.begin_build(data.fingerprint, name, build_id=bid)
    sentences = SentenceStream(data.clauses, tokenizer)
    store.write_tables(bid, data, sentences, sentences.weights)
    idx = MilvusClauseIndex.create(uri, name, embedder.dim, dense_index(settings), len(data.clauses))
    embedded = insert_clauses(idx, settings, data, embedder, stats)
    idx.finish()
    pruned = store.activate(bid)
    for b in pruned:
        try:
            MilvusClauseIndex(uri, b.collection).drop()
        except Exception as e:  # noqa: BLE001 - a collection left behind costs disk, not answers
            log.warning("could not drop old collection %s: %s", b.collection, e)
    report = BuildReport(bid, len(data.clauses), embedded, time.perf_counter() - t0, [b.build_id for b in pruned])
    log.info("build %s: %d clauses (%d embedded) in %.1fs", bid, report.clauses, embedded, report.seconds)
    return report


def current_build(settings: Settings) -> Build:
    b = sql_store(settings).current()
    if b is None:
        raise FileNotFoundError(f"no build in {database_url(settings)}: run `python -m assistant build` first")
    return b


def open_build(settings: Settings) -> tuple[Build, Ingested]:
    b = current_build(settings)
    return b, sql_store(settings).read(b.build_id)


def open_clause_index(settings: Settings, b: Build) -> MilvusClauseIndex:
    return MilvusClauseIndex.open(vector_uri(settings), b.collection)


def milvus_lite_file(settings: Settings) -> Path | None:
    uri = vector_uri(settings)
    return None if "://" in uri else Path(uri)
