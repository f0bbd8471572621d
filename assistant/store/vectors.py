"""Clause vectors: one llama-index ``TextNode`` per clause in a FAISS ``IndexFlatIP``.

Layout (``settings.index_dir / "vectors"``)::

    default__vector_store.json   the FAISS index, written by llama-index's FaissVectorStore
    meta.json                    model_id, fingerprints, clause ids, sizes/sha256, build time

A build writes a temporary sibling folder and swaps it in by rename, so a reader never sees a
half-written index.  ``VectorIndex.open`` loads the stored index when its meta matches (same
model, same clause texts, intact FAISS file) and rebuilds otherwise; passage vectors come from
the on-disk embedding cache (``index_dir / "embeddings.sqlite"``), so a rebuild after adding a
plan embeds only the new clauses.  Rows of the FAISS index are the clauses in the given order.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from assistant.models import Clause, DocMeta
from assistant.store.embeddings import CachedEmbedder, Embedder, EmbeddingCache
from assistant.text import norm

if TYPE_CHECKING:  # pragma: no cover
    import faiss
    from llama_index.core.schema import TextNode

log = logging.getLogger(__name__)

FORMAT = 1
FAISS_FILE = "default__vector_store.json"  # llama-index's persist name for the FAISS store
META_FILE = "meta.json"
CACHE_FILE = "embeddings.sqlite"
METADATA_KEYS = ("doc_id", "region", "level", "population", "domain_key", "section", "clause_id", "label")


def node_text(c: Clause) -> str:
    """What a clause's vector (and its BM25 entry) is made from: domain, section, lead-in, text."""
    head = " ".join(x for x in (c.domain or (c.part if c.part != "综合" else None), c.section) if x)
    body = c.text.strip()
    if c.title and norm(c.title) not in norm(body):
        body = f"{c.title.strip()}\n{body}"
    return f"{head}\n{body}" if head else body


def clause_metadata(c: Clause, meta: DocMeta | None) -> dict:
    return {
        "doc_id": c.doc_id,
        "region": meta.region if meta else None,
        "level": meta.level if meta else None,
        "population": c.population,
        "domain_key": c.domain_key,
        "section": c.section,
        "clause_id": c.clause_id,
        "label": c.label,
    }


def clause_nodes(clauses: Sequence[Clause], docs: Iterable[DocMeta] = ()) -> list["TextNode"]:
    """One TextNode per clause (id = clause_id).  Metadata is kept out of the embedded text and
    the LLM text alike: domain and section are already in the node text; label, ids and region
    are for display and filtering."""
    from llama_index.core.schema import TextNode

    metas = {m.doc_id: m for m in docs}
    out = []
    for c in clauses:
        md = clause_metadata(c, metas.get(c.doc_id))
        out.append(
            TextNode(
                id_=c.clause_id,
                text=node_text(c),
                metadata=md,
                excluded_embed_metadata_keys=list(md),
                excluded_llm_metadata_keys=[k for k in md if k != "label"],
            )
        )
    return out


def fingerprint(texts: Sequence[str], ids: Sequence[str]) -> str:
    """Changes when any clause id or embedded text changes (corpus or parser)."""
    h = hashlib.sha256(f"planqa-vectors-{FORMAT}\n".encode())
    for i, t in zip(ids, texts):
        h.update(i.encode())
        h.update(b"\x1f")
        h.update(t.encode())
        h.update(b"\x1e")
    return h.hexdigest()


def _faiss():
    """faiss, imported on first use: a replica on the shared stores (Milvus) never loads it (13 MB of RSS)."""
    import faiss

    return faiss


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class StaleIndex(Exception):
    """The stored index cannot be used; the message says why."""


@dataclass
class VectorIndex:
    dir: Path
    faiss_index: faiss.Index
    clause_ids: list[str]
    meta: dict
    built: bool = False  # True when this open() (re)built the index
    reason: str = ""  # why it was rebuilt
    embedded: int = 0  # passages actually embedded by the build (cache misses)
    seconds: float = 0.0  # time open() took
    _row: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._row = {cid: i for i, cid in enumerate(self.clause_ids)}

    def __len__(self) -> int:
        return len(self.clause_ids)

    @property
    def model_id(self) -> str:
        return self.meta["model_id"]

    @property
    def vector_store(self):
        """The llama-index FaissVectorStore over the loaded index (for llama-index callers)."""
        from llama_index.vector_stores.faiss import FaissVectorStore

        return FaissVectorStore(faiss_index=self.faiss_index)

    def row(self, clause_id: str) -> int:
        return self._row[clause_id]

    # ------------------------------------------------------------------ search

    def search(self, qvec: np.ndarray, k: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Exact top-``k`` (row, cosine) for one query vector; with ``rows`` only those rows
        compete (FAISS ID selector, so filtering happens before ranking)."""
        q = np.ascontiguousarray(np.asarray(qvec, dtype=np.float32).reshape(1, -1))
        n = self.faiss_index.ntotal
        if rows is None:
            k = min(k, n)
            params = None
        else:
            rows = np.asarray(rows, dtype=np.int64)
            k = min(k, len(rows))
            faiss = _faiss()
            params = faiss.SearchParameters()
            params.sel = faiss.IDSelectorBatch(rows)
        if k <= 0:
            return []
        d, i = self.faiss_index.search(q, k, params=params) if params else self.faiss_index.search(q, k)
        return [(int(r), float(s)) for r, s in zip(i[0], d[0]) if r >= 0]

    def vectors(self) -> np.ndarray:
        return self.faiss_index.reconstruct_n(0, self.faiss_index.ntotal)

    # ------------------------------------------------------------------ open / build

    @classmethod
    def open(
        cls,
        index_dir: str | os.PathLike,
        clauses: Sequence[Clause],
        embedder: Embedder,
        docs: Iterable[DocMeta] = (),
        *,
        corpus_fingerprint: str | None = None,
        progress: bool = True,
        force: bool = False,
    ) -> "VectorIndex":
        """The vector index for ``clauses`` under ``index_dir/vectors``: loaded if current, else built."""
        t0 = time.perf_counter()
        index_dir = Path(index_dir)
        docs = list(docs)
        texts = [node_text(c) for c in clauses]
        ids = [c.clause_id for c in clauses]
        fp = fingerprint(texts, ids)
        target = index_dir / "vectors"
        reason = "forced rebuild"
        if not force:
            try:
                vi = cls.load(target, model_id=embedder.model_id, fp=fp, count=len(ids), dim=embedder.dim)
                vi.seconds = time.perf_counter() - t0
                return vi
            except StaleIndex as e:
                reason = str(e)
        log.info("building vector index (%s)", reason)
        try:
            with _lock(index_dir):
                vi = cls._build(index_dir, clauses, texts, ids, fp, embedder, docs, corpus_fingerprint, progress)
        except (OSError, sqlite3.OperationalError) as e:  # read-only folder or full disk: build, keep in memory
            log.warning("cannot write the vector index in %s (index folder not writable: %s); serving this build "
                        "from memory, rebuilt on every start until the folder is writable", index_dir, e)
            vi = cls._build(index_dir, clauses, texts, ids, fp, embedder, docs, corpus_fingerprint, progress,
                            persist=False)
        vi.reason = reason
        vi.seconds = time.perf_counter() - t0
        return vi

    @classmethod
    def load(cls, folder: Path, *, model_id: str, fp: str, count: int, dim: int) -> "VectorIndex":
        """Load and verify; raises StaleIndex saying what does not match."""
        mpath, fpath = folder / META_FILE, folder / FAISS_FILE
        if not mpath.is_file() or not fpath.is_file():
            raise StaleIndex("no stored index")
        try:
            meta = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise StaleIndex(f"unreadable meta.json: {e}") from None
        if meta.get("format") != FORMAT:
            raise StaleIndex(f"index format {meta.get('format')} != {FORMAT}")
        if meta.get("model_id") != model_id:
            raise StaleIndex(f"model changed: {meta.get('model_id')} -> {model_id}")
        if meta.get("fingerprint") != fp or meta.get("clause_count") != count:
            raise StaleIndex("corpus changed")
        if fpath.stat().st_size != meta.get("faiss_bytes") or _file_sha(fpath) != meta.get("faiss_sha256"):
            raise StaleIndex("FAISS file damaged (size/sha256 mismatch)")
        try:
            index = _faiss().read_index(str(fpath))
        except Exception as e:  # noqa: BLE001 - faiss raises RuntimeError on a bad file
            raise StaleIndex(f"FAISS file unreadable: {e}") from None
        if index.ntotal != count or index.d != dim or len(meta.get("clause_ids", [])) != count:
            raise StaleIndex("FAISS index does not match meta.json")
        return cls(folder, index, list(meta["clause_ids"]), meta)

    @classmethod
    def _build(cls, index_dir, clauses, texts, ids, fp, embedder, docs, corpus_fp, progress,
               persist: bool = True) -> "VectorIndex":
        """Embed (through the cache) and index; with persist=False nothing is written anywhere."""
        from llama_index.vector_stores.faiss import FaissVectorStore
        from tqdm import tqdm

        t0 = time.perf_counter()
        if persist:
            index_dir.mkdir(parents=True, exist_ok=True)
        nodes = clause_nodes(clauses, docs)
        cache = EmbeddingCache(index_dir / CACHE_FILE) if persist else EmbeddingCache.in_memory(index_dir / CACHE_FILE)
        with tqdm(total=len(nodes), desc="embedding clauses", unit="clause", disable=not progress, leave=False) as bar:
            cached = CachedEmbedder(embedder, cache, progress=bar.update)
            from llama_index.core.schema import MetadataMode

            embed_texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
            vecs = cached.embed_passages(embed_texts)
        cache.close()
        for n, v in zip(nodes, vecs):
            n.embedding = v.tolist()
        store = FaissVectorStore(faiss_index=_faiss().IndexFlatIP(embedder.dim))
        if nodes:
            store.add(nodes)
        if not persist:
            meta = {"format": FORMAT, "model_id": embedder.model_id, "dim": embedder.dim, "fingerprint": fp,
                    "corpus_fingerprint": corpus_fp, "clause_count": len(ids), "in_memory": True, "clause_ids": ids}
            return cls(index_dir / "vectors", store.client, ids, meta, built=True, embedded=cached.misses)

        tmp = Path(tempfile.mkdtemp(prefix=".vectors.tmp-", dir=index_dir))
        tmp.chmod(0o755)
        try:
            try:
                store.persist(persist_path=str(tmp / FAISS_FILE))
            except RuntimeError as e:  # faiss reports a failed write (disk full) as RuntimeError
                raise OSError(f"cannot write {tmp / FAISS_FILE}: {e}") from None
            fpath = tmp / FAISS_FILE
            meta = {
                "format": FORMAT,
                "model_id": embedder.model_id,
                "dim": embedder.dim,
                "fingerprint": fp,
                "corpus_fingerprint": corpus_fp,
                "clause_count": len(ids),
                "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "build_seconds": round(time.perf_counter() - t0, 3),
                "embedded": cached.misses,
                "faiss_bytes": fpath.stat().st_size,
                "faiss_sha256": _file_sha(fpath),
                "clause_ids": ids,
            }
            (tmp / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
            _swap_in(tmp, index_dir / "vectors")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        log.info("vector index: %d clauses, %d embedded, %.2fs", len(ids), cached.misses, meta["build_seconds"])
        return cls(index_dir / "vectors", store.client, ids, meta, built=True, embedded=cached.misses)


def _swap_in(tmp: Path, target: Path) -> None:
    """Replace ``target`` by ``tmp``: two renames, the old folder removed afterwards."""
    old = None
    if target.exists() or target.is_symlink():
        old = target.with_name(f".vectors.old-{os.getpid()}-{time.time_ns()}")
        os.rename(target, old)
    os.rename(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _lock(index_dir: Path):
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".vectors.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
