"""Shared fixtures: the real corpus, built once per session into a temporary index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import ROOT, Settings

CORPUS = ROOT / "corpus"
EVAL_SETS = ROOT / "eval_sets"


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("index")


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory) -> Path:
    """What users enter while serving (feedback, observations) goes to a temp folder in tests, never
    to the checkout's data/: a test's sample observations must not reach the assistant staff use
    (subprocesses inherit it through PLANQA_DATA)."""
    import os

    d = tmp_path_factory.mktemp("data")
    old = os.environ.get("PLANQA_DATA")
    os.environ["PLANQA_DATA"] = str(d)
    yield d
    if old is None:
        os.environ.pop("PLANQA_DATA", None)
    else:
        os.environ["PLANQA_DATA"] = old


@pytest.fixture(scope="session")
def settings(index_dir, data_dir) -> Settings:
    return Settings(corpus_dir=CORPUS, index_dir=index_dir, data_dir=data_dir)


@pytest.fixture(scope="session")
def tables(settings):
    from assistant.store.db import load_tables

    return load_tables(settings.corpus_dir, settings.db_path)


@pytest.fixture(scope="session")
def engine(settings):
    from assistant.engine import Engine

    return Engine.load(settings)


@pytest.fixture(scope="session")
def clauses_by_id(tables):
    return {c.clause_id: c for c in tables.clauses}


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the corpus for tests that damage it."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


# --- retrieval (assistant.store / assistant.retrieve) -------------------------------------

SHARED_EMBED_CACHE = ROOT / "index" / "embeddings.sqlite"


def _copy_sqlite(src: Path, dst: Path) -> None:
    import sqlite3

    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)


@pytest.fixture(scope="session", autouse=True)
def _shared_embedding_cache(index_dir):
    """Seed the session index with the project's passage-vector cache (index/embeddings.sqlite),
    so the one full vector build per session re-embeds nothing; hand new vectors back after."""
    dst = index_dir / "embeddings.sqlite"
    if SHARED_EMBED_CACHE.is_file() and not dst.exists():
        try:
            _copy_sqlite(SHARED_EMBED_CACHE, dst)
        except Exception:  # noqa: BLE001 - a bad cache only costs time
            dst.unlink(missing_ok=True)
    yield
    if dst.is_file() and (not SHARED_EMBED_CACHE.exists() or dst.stat().st_size > SHARED_EMBED_CACHE.stat().st_size):
        try:
            SHARED_EMBED_CACHE.parent.mkdir(exist_ok=True)
            _copy_sqlite(dst, SHARED_EMBED_CACHE)
        except Exception:  # noqa: BLE001
            pass


@pytest.fixture(scope="session")
def parsed_corpus(settings):
    """(corpus, clauses) straight from ingest: load_corpus + parse of every doc."""
    from assistant.ingest.corpus import load_corpus
    from assistant.ingest.structure import parse

    corpus = load_corpus(settings.corpus_dir)
    return corpus, [c for d in corpus.docs for c in parse(d)]


@pytest.fixture(scope="session")
def retriever(settings, tables):
    """The full Retriever over every clause, on the same tables (and vector index) as the engine."""
    from assistant.retrieve import Retriever

    return Retriever(settings, tables.clauses, tables.docs, corpus_fingerprint=tables.fingerprint)


# --- plans as staff receive them (PDF, Word, HTML, GBK), made from the real texts -------------
from tests.plan_files import empty_corpus, plan_files  # noqa: E402,F401

# --- shared stores: a throwaway PostgreSQL cluster and one Milvus Lite build per session -----

@pytest.fixture(scope="session")
def pg():
    """A PostgreSQL cluster of its own (tests/pgcluster.py), stopped at the end. Skipped loudly when
    Debian's postgresql is not installed (.ci/run installs it, so CI runs these tests)."""
    from tests.pgcluster import Cluster, find_bin

    bindir = find_bin()
    if bindir is None:
        import warnings

        msg = "PostgreSQL binaries missing (/usr/lib/postgresql/*/bin): apt-get install postgresql; backend tests SKIPPED"
        warnings.warn(msg)
        pytest.skip(msg)
    cluster = Cluster(bindir)
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def shared_settings(pg, retriever, index_dir, tmp_path_factory):
    """The real corpus built once on Milvus Lite (temp file) + PostgreSQL, with the session's embedding
    cache (the default backend's build filled it), so nothing is embedded twice."""
    from assistant.store.shared import build

    root = tmp_path_factory.mktemp("shared")
    (root / "index").mkdir()
    _copy_sqlite(index_dir / "embeddings.sqlite", root / "index" / "embeddings.sqlite")
    s = Settings(corpus_dir=CORPUS, index_dir=root / "index", vector_uri=str(root / "milvus.db"),
                 database_url=pg.url)
    build(s)
    return s


@pytest.fixture(scope="session")
def shared_engine(shared_settings):
    from assistant.engine import Engine

    return Engine(shared_settings)
