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


@pytest.fixture(scope="session")
def settings(index_dir) -> Settings:
    return Settings(corpus_dir=CORPUS, index_dir=index_dir)


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
