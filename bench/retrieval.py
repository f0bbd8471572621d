"""Retrieval benchmark over golden question sets.

    python bench/retrieval.py [GOLDEN.jsonl ...] [--json] [--misses] [--build-times]

Default golden sets: every *.jsonl directly in eval_sets/.  Each golden line with citations is one
question; a retrieved clause is a hit when it belongs to a cited doc_id and its text contains
that citation's quote (both through assistant.text.norm).  recall@k: share of questions with a
hit in the first k results; mrr: mean of 1/rank of the first hit (0 if none in the first 10).

Pipelines (each runs in its own process so its peak RSS is its own):
  bm25     jieba BM25 over clause text, the raw question, no filters
  dense    FAISS cosine over clause vectors (same embedder as the project), no filters
  naive    llama-index SentenceSplitter 512-token chunks of the raw plan texts, same embedder,
           VectorStoreIndex over FaissVectorStore, no structure; a chunk hits if it holds the quote
  project  Retriever (default mode: weighted fusion) with filters read off the question by a tiny
           detector: regions named in it (doc meta region / region_aliases / short_name; a
           follow-up naming none takes the regions of its history) -> doc_ids; population
           妇女/儿童 when it names exactly one; a domain heading as the plans write it (妇女与健康)
           -> domain_key; a section marker (主要目标/策略措施) -> section.  A question naming
           several regions uses per-document top-k.  Query text: the question (a follow-up is
           prefixed with its previous turn) less the region names (they are the filter now),
           plus the plan words of any staff word in lexicon/questions.yaml `synonyms`.

The same pipelines on the shared backend (Milvus Lite + SQLite shared tables, built once into
INDEX/shared-bench by `assistant.store.shared.build`), printed beside the embedded ones:
  milvus-project  the project pipeline through SharedRetriever (Milvus filter expressions)
  milvus-rrf      the same query and filters through Milvus hybrid_search + RRFRanker (unweighted)
  milvus-bm25     our jieba BM25 weights as Milvus sparse vectors, raw question, no filters
  milvus-bm25fn   Milvus' own BM25 function with its jieba analyzer over the same clause text
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.ingest.corpus import load_corpus  # noqa: E402
from assistant.ingest.structure import parse  # noqa: E402
from assistant.models import DocMeta  # noqa: E402
from assistant.text import norm  # noqa: E402

PIPELINES = ("bm25", "dense", "naive", "project", "milvus-project", "milvus-rrf", "milvus-bm25", "milvus-bm25fn")
TEXT_MAX = 16_384  # longest clause text in the BM25-function collection (VARCHAR bytes; clauses are < 3,000)
DEPTH = 10  # results read per question (MRR@10)
CHUNK_TOKENS = 512
CHUNK_OVERLAP = 64
PER_DOC_K = 5


# ----------------------------------------------------------------------------- data


def golden_files(args: list[str]) -> list[Path]:
    return [Path(a) for a in args] if args else sorted((ROOT / "eval_sets").glob("*.jsonl"))


def load_questions(files: list[Path]) -> list[dict]:
    out = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("citations"):
                    out.append(row)
    return out


def load_clauses(settings: Settings):
    corpus = load_corpus(settings.corpus_dir)
    clauses = [c for d in corpus.docs for c in parse(d)]
    return corpus, clauses


def is_hit(doc_id: str, text: str, citations: list[dict]) -> bool:
    t = norm(text)
    return any(c["doc_id"] == doc_id and norm(c["quote"]) in t for c in citations)


def first_hit(results: list[tuple[str, str]], citations: list[dict]) -> int | None:
    for rank, (doc_id, text) in enumerate(results[:DEPTH], 1):
        if is_hit(doc_id, text, citations):
            return rank
    return None


# ----------------------------------------------------------------------------- question -> filters


def project_plan(row: dict, docs: list[DocMeta]):
    """(query text, Filters, per_doc_k) for one golden question, read by the engine's own question
    parser and conversation state (assistant/answer/parse.py, state.py)."""
    from assistant.answer.parse import read_turn
    from assistant.answer.state import replay, resolve
    from assistant.retrieve import Filters

    history = [h if isinstance(h, str) else h.get("question") or h.get("content") or "" for h in row.get("history") or []]
    state = replay(history, docs, lambda h: read_turn(h, docs))
    q = resolve(read_turn(row["question"], docs), state, docs)
    regions = {m.region for m in docs if m.doc_id in q.doc_ids}
    per_doc = PER_DOC_K if len(regions) > 1 else None
    return q.retrieval_text, Filters(doc_ids=q.doc_ids or None, population=q.population, domain_key=q.domain_key), per_doc


# ----------------------------------------------------------------------------- pipelines


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss it is not inherited across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_pipeline(name: str, settings: Settings, questions: list[dict]) -> dict:
    corpus, clauses = load_clauses(settings)
    docs = [d.meta for d in corpus.docs]
    if name == "naive":
        search = naive_search(settings, corpus)
    elif name.startswith("milvus"):
        search = milvus_search(name, settings, clauses, docs)
    else:
        from assistant.retrieve import Retriever

        r = Retriever(settings, clauses, docs, corpus_fingerprint=corpus.fingerprint)

        def search(row: dict) -> list[tuple[str, str]]:
            if name == "project":
                text, filters, per_doc = project_plan(row, docs)
                hits = r.search(text, k=DEPTH, filters=filters, per_doc_k=per_doc)
            else:
                hits = r.search(row["question"], k=DEPTH, mode=name)
            return [(h.doc_id, h.clause.text) for h in hits]

    search(questions[0])  # warm-up (lazy model state), not timed
    ranks, times = [], []
    for row in questions:
        t0 = time.perf_counter()
        res = search(row)
        times.append((time.perf_counter() - t0) * 1000)
        ranks.append(first_hit(res, row["citations"]))
    n = len(questions)
    q = statistics.quantiles(times, n=100, method="inclusive") if n > 1 else times * 99
    return {
        "recall@1": round(sum(1 for r in ranks if r == 1) / n, 4),
        "recall@5": round(sum(1 for r in ranks if r and r <= 5) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4),
        "p50_ms": round(q[49], 2),
        "p95_ms": round(q[94], 2),
        "peak_rss_mib": peak_rss_mib(),
        "misses": [row["id"] for row, r in zip(questions, ranks) if not r or r > 5],
    }


def shared_settings(settings: Settings) -> Settings:
    d = settings.index_dir / "shared-bench"
    return settings.model_copy(update={"vector_uri": str(d / "milvus.db"), "database_url": f"sqlite:///{d / 'shared.sqlite'}"})


def milvus_search(name: str, settings: Settings, clauses, docs):
    from assistant.retrieve_shared import load_shared

    _, data, r = load_shared(shared_settings(settings))
    by_row = data.clauses
    if name == "milvus-bm25fn":
        return bm25_function_search(settings, data.clauses)

    def search(row: dict) -> list[tuple[str, str]]:
        if name == "milvus-bm25":
            hits = r.search(row["question"], k=DEPTH, mode="bm25")
            return [(h.doc_id, h.clause.text) for h in hits]
        text, filters, per_doc = project_plan(row, docs)
        if name == "milvus-project":
            hits = r.search(text, k=DEPTH, filters=filters, per_doc_k=per_doc)
            return [(h.doc_id, h.clause.text) for h in hits]
        return [(by_row[i].doc_id, by_row[i].text) for i, _ in r.server_rrf(text, k=DEPTH, filters=filters)]
    return search


def bm25_function_search(settings: Settings, clauses):
    """Milvus' built-in BM25 (function on a VARCHAR field, jieba analyzer) over node_text of each clause."""
    import tempfile

    from pymilvus import DataType, Function, FunctionType, MilvusClient

    from assistant.store.vectors import node_text

    c = MilvusClient(str(Path(tempfile.mkdtemp(prefix="bm25fn-")) / "fn.db"))
    schema = MilvusClient.create_schema(auto_id=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=TEXT_MAX, enable_analyzer=True,
                     analyzer_params={"tokenizer": "jieba"})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))
    ip = c.prepare_index_params()
    ip.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    c.create_collection("fn", schema=schema, index_params=ip)
    c.insert("fn", [{"row": i, "text": node_text(cl)} for i, cl in enumerate(clauses)])
    c.flush("fn")
    c.load_collection("fn")

    def search(row: dict) -> list[tuple[str, str]]:
        res = c.search("fn", data=[row["question"]], anns_field="sparse", limit=DEPTH, output_fields=["row"],
                       search_params={"metric_type": "BM25"})
        return [(clauses[h["entity"]["row"]].doc_id, clauses[h["entity"]["row"]].text) for h in res[0]]
    return search


def naive_chunks(corpus):
    from llama_index.core import Document
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter(chunk_size=CHUNK_TOKENS, chunk_overlap=CHUNK_OVERLAP)
    docs = [Document(text=d.text, metadata={"doc_id": d.meta.doc_id}, id_=d.meta.doc_id) for d in corpus.docs]
    nodes = splitter.get_nodes_from_documents(docs)
    for n in nodes:  # embed the chunk text only, as a plain pipeline would
        n.excluded_embed_metadata_keys = ["doc_id"]
    return nodes


def naive_search(settings: Settings, corpus):
    import faiss
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.vector_stores.faiss import FaissVectorStore

    from assistant.store.embeddings import CachedEmbedder, EmbeddingCache, llama_embedding, make_embedder

    inner = make_embedder(settings)
    embed = llama_embedding(CachedEmbedder(inner, EmbeddingCache(settings.index_dir / "embeddings.sqlite")))
    nodes = naive_chunks(corpus)
    store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(inner.dim))
    index = VectorStoreIndex(
        nodes, storage_context=StorageContext.from_defaults(vector_store=store), embed_model=embed
    )
    retriever = index.as_retriever(similarity_top_k=DEPTH)

    def search(row: dict) -> list[tuple[str, str]]:
        return [(n.node.metadata["doc_id"], n.node.get_content()) for n in retriever.retrieve(row["question"])]

    return search


# ----------------------------------------------------------------------------- build timings


def build_times(settings: Settings) -> dict:
    """First build with an empty cache, rebuild/cached start, and adding one plan, in a temp dir."""
    import tempfile

    from assistant.retrieve import Retriever
    from assistant.store.embeddings import make_embedder
    from assistant.store.vectors import VectorIndex

    corpus, clauses = load_clauses(settings)
    docs = [d.meta for d in corpus.docs]
    emb = make_embedder(settings)
    out = {"clauses": len(clauses)}
    with tempfile.TemporaryDirectory() as tmp:
        s = settings.model_copy(update={"index_dir": Path(tmp)})
        last = corpus.docs[-1].meta.doc_id
        some = [c for c in clauses if c.doc_id != last]
        vi = VectorIndex.open(tmp, some, emb, docs, progress=False)
        out["first_build_s_without_last_plan"] = round(vi.seconds, 2)
        vi = VectorIndex.open(tmp, clauses, emb, docs, progress=False)
        out["add_one_plan_s"] = round(vi.seconds, 2)
        out["add_one_plan_embedded"] = vi.embedded
        import shutil

        shutil.rmtree(Path(tmp) / "vectors")
        (Path(tmp) / "embeddings.sqlite").unlink()
        vi = VectorIndex.open(tmp, clauses, emb, docs, progress=False)
        out["first_build_s"] = round(vi.seconds, 2)
        vi = VectorIndex.open(tmp, clauses, emb, docs, progress=False, force=True)
        out["rebuild_from_cache_s"] = round(vi.seconds, 3)
        vi = VectorIndex.open(tmp, clauses, emb, docs, progress=False)
        out["vectors_load_s"] = round(vi.seconds, 3)
        Retriever(s, clauses, docs)  # writes the BM25 token cache
        t0 = time.perf_counter()
        r = Retriever(s, clauses, docs)
        out["retriever_cached_start_s"] = round(time.perf_counter() - t0, 3)
        assert not r.vectors.built
        code = (
            "import time;t=time.perf_counter();import sys;sys.path.insert(0,%r);"
            "from bench.retrieval import *;from assistant.retrieve import Retriever;"
            "s=Settings.load(index_dir=%r);c,cl=load_clauses(s);"
            "r=Retriever(s,cl,[d.meta for d in c.docs]);r.search('孕产妇死亡率');"
            "print(time.perf_counter()-t, r.vectors.built)"
        ) % (str(ROOT), tmp)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        secs, built = res.stdout.split()
        out["cold_process_start_to_first_answer_s"] = round(float(secs), 2)
        assert built == "False"
    return out


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("golden", nargs="*", help="golden .jsonl files (default: eval_sets/*.jsonl)")
    ap.add_argument("--json", action="store_true", help="print only the JSON summary")
    ap.add_argument("--misses", action="store_true", help="list questions without a hit in the top 5")
    ap.add_argument("--pipelines", default=",".join(PIPELINES), help="comma-separated subset")
    ap.add_argument("--build-times", action="store_true", help="also time first build / cached start (~1 min)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    settings = Settings.load()
    files = golden_files(a.golden)
    questions = load_questions(files)
    if not questions:
        print("no golden questions with citations", file=sys.stderr)
        return 1
    if a.worker:
        print(json.dumps(run_pipeline(a.worker, settings, questions)))
        return 0

    names = [p for p in a.pipelines.split(",") if p]
    # Build (or verify) the shared index and the chunk vectors once, outside the timed workers.
    from assistant.retrieve import Retriever

    corpus, clauses = load_clauses(settings)
    Retriever(settings, clauses, [d.meta for d in corpus.docs], corpus_fingerprint=corpus.fingerprint,
              progress=not a.json)
    if "naive" in names:
        naive_search(settings, corpus)
    if any(n.startswith("milvus") for n in names):
        from assistant.store.shared import build, current_build

        from assistant.ingest import fingerprint

        ss = shared_settings(settings)
        try:
            stale = current_build(ss).fingerprint != fingerprint(ss.corpus_dir)
        except FileNotFoundError:
            stale = True
        if stale:
            build(ss)
        from assistant.store.milvus import release

        release(ss.vector_uri)  # Milvus Lite: one process per file, and the workers are other processes

    results = {}
    for name in names:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, *map(str, files)]
        res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
        if res.returncode != 0:
            print(res.stderr, file=sys.stderr)
            return res.returncode
        results[name] = json.loads(res.stdout.strip().splitlines()[-1])

    keys = ("recall@1", "recall@5", "mrr", "p50_ms", "p95_ms")
    if a.json:
        print(json.dumps({"pipelines": {n: {k: r[k] for k in keys} for n, r in results.items()},
                          "questions": len(questions)}, ensure_ascii=False))
        return 0
    print(f"{len(questions)} questions from {', '.join(f.name for f in files)}")
    print(f"{'pipeline':<14} {'recall@1':>8} {'recall@5':>8} {'MRR':>6} {'p50 ms':>7} {'p95 ms':>7} {'peak RSS MiB':>12}")
    for n, r in results.items():
        print(f"{n:<14} {r['recall@1']:>8.3f} {r['recall@5']:>8.3f} {r['mrr']:>6.3f} {r['p50_ms']:>7.1f} "
              f"{r['p95_ms']:>7.1f} {r['peak_rss_mib']:>12.0f}")
    if a.misses:
        for n, r in results.items():
            print(f"{n} misses@5: {' '.join(r['misses']) or '-'}")
    if a.build_times:
        for k, v in build_times(settings).items():
            print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
