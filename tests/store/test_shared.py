"""The shared build's settings (assistant/store/shared.py); the build itself is tested end to end in
tests/test_engine_shared.py and tests/answer/test_context_shared.py."""

from __future__ import annotations

from assistant.config import Settings
from assistant.store.shared import dense_index


def test_the_dense_index_is_flat_on_milvus_lite_and_ivf_flat_on_a_server(tmp_path, monkeypatch):
    assert dense_index(Settings(index_dir=tmp_path)) == "FLAT"  # default: INDEX/milvus.db, Milvus Lite
    assert dense_index(Settings(vector_uri=str(tmp_path / "m.db"))) == "FLAT"
    assert dense_index(Settings(vector_uri="http://milvus.example:19530")) == "IVF_FLAT"
    assert dense_index(Settings(vector_uri="https://milvus.example:443")) == "IVF_FLAT"
    assert dense_index(Settings(vector_uri="http://milvus.example:19530", milvus_index="FLAT")) == "FLAT"
    monkeypatch.setenv("PLANQA_MILVUS_INDEX", "hnsw")
    assert dense_index(Settings.load(vector_uri=str(tmp_path / "m.db"))) == "HNSW"
