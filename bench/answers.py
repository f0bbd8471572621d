"""Answer latency and peak memory once the index is loaded, against a plain retrieval baseline
measured in the same run.

    python bench/answers.py [GOLDEN.jsonl ...] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.engine import Engine  # noqa: E402
from assistant.evaluate import load_golden  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    files = [Path(f) for f in args.files] or sorted((ROOT / "eval_sets").glob("*.jsonl"))
    golden = load_golden(files)
    t0 = time.perf_counter()
    engine = Engine.load(Settings.load())
    load_s = time.perf_counter() - t0
    baseline, answer = [], []
    for g in golden:  # baseline: one fused retrieval call, the floor any answer pays
        t = time.perf_counter()
        engine.retriever.search(g.question, k=5)
        baseline.append((time.perf_counter() - t) * 1000)
    for g in golden:
        t = time.perf_counter()
        engine.ask(g.question, g.history)
        answer.append((time.perf_counter() - t) * 1000)
    out = {
        "questions": len(golden),
        "engine_load_s": round(load_s, 2),
        "retrieval_p50_ms": round(statistics.median(baseline), 1),
        "answer_p50_ms": round(statistics.median(answer), 1),
        "answer_p95_ms": round(pct(answer, 95), 1),
        "answer_over_retrieval_p50": round(statistics.median(answer) / statistics.median(baseline), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:28s} {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
