"""Shared stores: the build step writes them, app replicas only read them.

    python -m assistant build         # build(settings): tables -> SQL, clauses -> a new Milvus collection,
                                      # then one switch of the current build id
    open_build(settings)              # a replica: (Build, Ingested tables) of the current build

Settings pick the backends (assistant/config.py): ``database_url`` (PostgreSQL, or any SQLAlchemy URL;
default ``sqlite:///INDEX/shared.sqlite``) and ``vector_uri`` (Milvus; default ``INDEX/milvus.db``,
Milvus Lite). A build embeds only clauses missing from the embedding cache (INDEX/embeddings.sqlite).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.ingest import Ingested, ingest
from assistant.models import Clause, DocMeta
from assistant.store.bm25 import BM25Index, ChineseTokenizer
from assistant.store.embeddings import CachedEmbedder, Embedder, EmbeddingCache, make_embedder
from assistant.store.milvus import MilvusClauseIndex, bm25_rows
from assistant.store.sentences import TOKEN_MARK, sentence_terms, term_weights
from assistant.store.sql import Build, SqlStore, new_build_id
from assistant.store.vectors import CACHE_FILE, clause_metadata, node_text

log = logging.getLogger(__name__)
COLLECTION_PREFIX = "planqa_clauses_"


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


def embed_clauses(settings: Settings, clauses: list[Clause], docs: list[DocMeta], embedder: Embedder):
    """Passage vectors for ``clauses`` through the on-disk cache (only new texts are embedded)."""
    from assistant.store.vectors import clause_nodes
    from llama_index.core.schema import MetadataMode

    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in clause_nodes(clauses, docs)]
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    cache = EmbeddingCache(settings.index_dir / CACHE_FILE)
    try:
        cached = CachedEmbedder(embedder, cache)
        vecs = cached.embed_passages(texts)
    finally:
        cache.close()
    return vecs, cached.misses


def build(settings: Settings, data: Ingested | None = None, embedder: Embedder | None = None) -> BuildReport:
    """Write a new build to the shared stores and switch readers to it at the very end."""
    t0 = time.perf_counter()
    data = data or ingest(settings.corpus_dir)
    embedder = embedder or make_embedder(settings)
    store = sql_store(settings)
    uri = vector_uri(settings)
    vecs, embedded = embed_clauses(settings, data.clauses, data.docs, embedder)
    tokenizer = ChineseTokenizer.for_docs(data.docs)
    sparse = bm25_rows(BM25Index([tokenizer(node_text(c)) for c in data.clauses]))
    bid = new_build_id()
    name = COLLECTION_PREFIX + bid
    store.begin_build(data.fingerprint, name, build_id=bid)
    sentences = list(sentence_terms(data.clauses, tokenizer))
    bigram_idf, token_idf = term_weights(sentences)
    weights = bigram_idf | {TOKEN_MARK + t: w for t, w in token_idf.items()}
    store.write_tables(bid, data, sentences, weights)
    idx = MilvusClauseIndex.create(uri, name, embedder.dim)
    metas = {d.doc_id: d for d in data.docs}
    rows = []
    for i, (c, v, sp) in enumerate(zip(data.clauses, vecs, sparse)):
        md = clause_metadata(c, metas.get(c.doc_id))
        rows.append({"row": i, "clause_id": c.clause_id, "dense": v.tolist(), "sparse": sp,
                     **{f: md[f] or "" for f in ("doc_id", "region", "level", "population", "domain_key", "section")}})
    idx.insert(rows)
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
