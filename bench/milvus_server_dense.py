#!/usr/bin/env python
"""Dense search latency and recall@60 on a real Milvus server (C++), 556,770 rows as at 2,000 plans (issue 13).

Not the project's venv: PyPI's `milvus` package (embedded standalone server; 2.3.5 is the newest the mirror has, and
2.3 has no sparse vectors, so only the dense half of the clause search is measured) needs an older client:

    python3.11 -m venv /tmp/mv23/venv
    /tmp/mv23/venv/bin/pip install milvus==2.3.5 pymilvus==2.3.7 'setuptools<70' 'protobuf<5' 'marshmallow<4' numpy psutil
    .venv/bin/python bench/milvus_server_inputs.py /tmp/mvbench          # the real corpus's vectors, 55 queries
    cd /tmp/mv23 && nice -n 10 ./venv/bin/python /PATH/TO/bench/milvus_server_dense.py [--n 556770] [--skip-insert]

Row i is clause vector i % 1,116 plus Gaussian noise (sigma 0.02, seed 0, re-normalised): near-copies, as district
plans copying their city's wording give. Writes /tmp/mv23/results_<n>.json and prints a table (bench/RESULTS.md,
"Scale: a Milvus server's dense search").
The whole script (and hence the server child it starts) runs under the caller's nice level for
inserts and index builds; during search measurement the server and this client are reniced to 0
(--renice-search, default on) so latencies aren't inflated by our own nice level.
"""
import argparse, json, os, subprocess, sys, time

import numpy as np
from milvus import default_server
from pymilvus import (Collection, CollectionSchema, DataType, FieldSchema,
                      connections, utility)

p = argparse.ArgumentParser()
p.add_argument("--n", type=int, default=556770)
p.add_argument("--batch", type=int, default=5000)
p.add_argument("--passes", type=int, default=5)
p.add_argument("--k", type=int, default=60)
p.add_argument("--base-dir", default="/tmp/mv23/data")
p.add_argument("--collection", default=None)
p.add_argument("--skip-insert", action="store_true", help="reuse existing collection")
p.add_argument("--no-restart", action="store_true", help="don't restart server between indexes")
p.add_argument("--no-renice-search", action="store_true")
p.add_argument("--only", default=None, help="comma list of FLAT,HNSW,IVF_FLAT")
p.add_argument("--hnsw-ef", default="128", help="comma list of HNSW search ef values")
p.add_argument("--no-extra", action="store_true", help="skip HNSW filter / Strong-consistency runs")
p.add_argument("--tag", default="", help="suffix for results file")
args = p.parse_args()

N, K = args.n, args.k
CNAME = args.collection or f"bench_dense_{N}"
BUILD_NICE = os.getpriority(os.PRIO_PROCESS, 0)


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def loadavg():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def server_pid():
    return default_server.server_proc.pid


def rss_mb(pid):
    out = subprocess.run(["ps", "-o", "rss=", "-p", str(pid)], capture_output=True, text=True).stdout
    return round(int(out.strip()) / 1024, 1)


def set_nice(val):
    for pid in (server_pid(), os.getpid()):
        try:
            os.setpriority(os.PRIO_PROCESS, pid, val)
        except PermissionError as e:
            log("renice failed", pid, e)
    # threads of the server have their own nice on Linux: renice every task
    try:
        for tid in os.listdir(f"/proc/{server_pid()}/task"):
            os.setpriority(os.PRIO_PROCESS, int(tid), val)
    except Exception as e:  # noqa
        log("renice threads failed", e)


def start_server():
    default_server.set_base_dir(args.base_dir)
    t = time.time()
    default_server.start()
    connections.connect(alias="default", host="127.0.0.1", port=default_server.listen_port)
    log(f"server started in {time.time()-t:.1f}s pid={server_pid()} port={default_server.listen_port} "
        f"version={utility.get_server_version()}")


def stop_server():
    try:
        connections.disconnect("default")
    except Exception:
        pass
    proc = default_server.server_proc
    if proc is not None:
        proc.terminate()  # graceful: give it time (default_server.stop() kills after 1 s)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            log("server did not exit in 60s after SIGTERM")
    default_server.stop()
    log("server stopped")


# ---------------------------------------------------------------- data
clauses = np.load("/tmp/mvbench/clauses.npy").astype(np.float32)
queries = np.load("/tmp/mvbench/queries.npy").astype(np.float32)
assert clauses.shape == (1116, 384) and queries.shape[1] == 384, (clauses.shape, queries.shape)
t = time.time()
rng = np.random.default_rng(0)
idx = np.arange(N) % clauses.shape[0]
V = clauses[idx] + rng.standard_normal((N, 384), dtype=np.float32) * np.float32(0.02)
V /= np.linalg.norm(V, axis=1, keepdims=True)
doc_ids = np.array([f"d{i // 279:04d}" for i in range(N)])
log(f"built V {V.shape} in {time.time()-t:.1f}s; docs={len(set(doc_ids.tolist()))}")

# exact ground truth
S = V @ queries.T  # (N, 55)
gt = np.argsort(-S, axis=0)[:K].T  # (55, K)

FILTERS = {
    "doc1": ["d0042"],
    "doc20": [f"d{j:04d}" for j in range(0, 2000, 100)],
}
FILTERS = {k: [d for d in v if d <= doc_ids[-1]] for k, v in FILTERS.items()}
gt_f = {}
for name, ids in FILTERS.items():
    mask = np.isin(doc_ids, ids)
    rows = np.nonzero(mask)[0]
    Sf = S[rows]
    gt_f[name] = rows[np.argsort(-Sf, axis=0)[:K].T]
    log(f"filter {name}: {len(ids)} docs, {len(rows)} rows")

# ---------------------------------------------------------------- server + collection
start_server()
if not args.skip_insert:
    if utility.has_collection(CNAME):
        utility.drop_collection(CNAME)
    schema = CollectionSchema([
        FieldSchema("row", DataType.INT64, is_primary=True, auto_id=False),
        FieldSchema("doc_id", DataType.VARCHAR, max_length=64),
        FieldSchema("dense", DataType.FLOAT_VECTOR, dim=384),
    ])
    col = Collection(CNAME, schema)
    t = time.time()
    for s in range(0, N, args.batch):
        e = min(N, s + args.batch)
        col.insert([list(range(s, e)), doc_ids[s:e].tolist(), V[s:e]])
        if (s // args.batch) % 20 == 0:
            log(f"inserted {e}/{N}  {time.time()-t:.1f}s  load={loadavg()}")
    t_ins = time.time() - t
    t = time.time()
    col.flush()
    t_flush = time.time() - t
    log(f"insert {t_ins:.1f}s flush {t_flush:.1f}s num_entities={col.num_entities}")
else:
    col = Collection(CNAME)
    t_ins = t_flush = None
    log(f"reusing {CNAME} num_entities={col.num_entities}")

INDEXES = [
    ("FLAT", {"index_type": "FLAT", "metric_type": "IP", "params": {}},
     [("-", {})]),
    ("HNSW", {"index_type": "HNSW", "metric_type": "IP", "params": {"M": 16, "efConstruction": 200}},
     [(f"ef={e}", {"ef": int(e)}) for e in args.hnsw_ef.split(",")]),
    ("IVF_FLAT", {"index_type": "IVF_FLAT", "metric_type": "IP", "params": {"nlist": 1024}},
     [("nprobe=16", {"nprobe": 16}), ("nprobe=64", {"nprobe": 64})]),
]
if args.only:
    keep = set(args.only.split(","))
    INDEXES = [x for x in INDEXES if x[0] in keep]


def run_searches(col, sparams, expr=None, gtm=gt, passes=args.passes, consistency="Bounded"):
    param = {"metric_type": "IP", "params": sparams}
    lat, recalls, crec = [], [], []
    for p_ in range(passes + 1):  # pass 0 = warm-up
        for qi in range(len(queries)):
            t0 = time.perf_counter()
            res = col.search(data=[queries[qi].tolist()], anns_field="dense", param=param, limit=K,
                             expr=expr, consistency_level=consistency)
            dt = (time.perf_counter() - t0) * 1000
            if p_ > 0:
                lat.append(dt)
            if p_ == 1:
                ids = list(res[0].ids)
                recalls.append(len(set(ids) & set(gtm[qi].tolist())) / K)
                gc = set((gtm[qi] % clauses.shape[0]).tolist())
                crec.append(len(set(i % clauses.shape[0] for i in ids) & gc) / len(gc))
    lat = np.array(lat)
    return {
        "n_calls": int(len(lat)),
        "p50_ms": round(float(np.percentile(lat, 50)), 2),
        "p95_ms": round(float(np.percentile(lat, 95)), 2),
        "max_ms": round(float(lat.max()), 2),
        "mean_ms": round(float(lat.mean()), 2),
        "recall_mean": round(float(np.mean(recalls)), 4),
        "recall_min": round(float(np.min(recalls)), 4),
        # fraction of the source clauses (row % 1116) in the exact top-60 that the result also covers
        "clause_recall_mean": round(float(np.mean(crec)), 4),
        "clause_recall_min": round(float(np.min(crec)), 4),
    }


results = {"N": N, "insert_s": t_ins, "flush_s": t_flush, "server_version": utility.get_server_version(),
           "runs": []}
first = True
for name, iparams, searches in INDEXES:
    if not first and not args.no_restart:
        stop_server()
        start_server()
        col = Collection(CNAME)
    first = False
    try:
        col.release()
    except Exception as e:
        log("release:", e)
    for ix in list(col.indexes):
        col.drop_index(index_name=ix.index_name)
    rss_before = rss_mb(server_pid())
    log(f"--- {name} create_index {iparams}  load={loadavg()}  server RSS {rss_before} MB")
    t = time.time()
    col.create_index("dense", iparams)
    # make sure all rows are indexed
    while True:
        prog = utility.index_building_progress(CNAME)
        if prog.get("indexed_rows", 0) >= prog.get("total_rows", 1) and prog.get("pending_index_rows", 0) == 0:
            break
        time.sleep(0.5)
    t_build = time.time() - t
    log(f"{name} index built in {t_build:.1f}s progress={prog} load={loadavg()}")
    t = time.time()
    col.load()
    t_load = time.time() - t
    time.sleep(2)
    rss_loaded = rss_mb(server_pid())
    try:
        segs = utility.get_query_segment_info(CNAME)
        log(f"{name} loaded segments: {[(sg.segmentID, sg.num_rows, sg.index_name, sg.state) for sg in segs]}")
    except Exception as e:
        log("segment info failed:", e)
    log(f"{name} loaded in {t_load:.1f}s  server RSS {rss_loaded} MB")
    if not args.no_renice_search:
        set_nice(0)
    cases = [(label, sp, None, gt, "Bounded") for label, sp in searches]
    if name == "HNSW" and not args.no_extra:
        for fname, ids in FILTERS.items():
            expr = "doc_id in [" + ",".join(f'"{d}"' for d in ids) + "]"
            cases.append((f"{searches[0][0]} filter {fname}", searches[0][1], expr, gt_f[fname], "Bounded"))
        cases.append((f"{searches[0][0]} Strong consistency", searches[0][1], None, gt, "Strong"))
    for label, sp, expr, gtm, cons in cases:
        la0 = loadavg()
        r = run_searches(col, sp, expr, gtm, consistency=cons)
        la1 = loadavg()
        row = {"index": name, "build_params": iparams["params"], "search": label, "expr": expr,
               "consistency": cons, "build_s": round(t_build, 1), "load_s": round(t_load, 1),
               "rss_before_mb": rss_before, "rss_loaded_mb": rss_loaded,
               "rss_after_search_mb": rss_mb(server_pid()), "loadavg_start": la0, "loadavg_end": la1, **r}
        results["runs"].append(row)
        log(json.dumps(row))
    if not args.no_renice_search:
        set_nice(BUILD_NICE)

col.release()
stop_server()

out = f"/tmp/mv23/results_{N}{args.tag}.json"
json.dump(results, open(out, "w"), indent=1)
print(f"\ninsert {t_ins}s flush {t_flush}s; server {results['server_version']}")
print(f"{'index':9} {'search':26} {'build_s':>7} {'p50':>7} {'p95':>7} {'max':>7} {'rec_mean':>8} {'rec_min':>7} "
      f"{'RSS_MB':>7} {'clrec':>6}  load(start|end)")
for r in results["runs"]:
    print(f"{r['index']:9} {r['search']:26} {r['build_s']:7} {r['p50_ms']:7} {r['p95_ms']:7} {r['max_ms']:7} "
          f"{r['recall_mean']:8} {r['recall_min']:7} {r['rss_loaded_mb']:7} {r.get('clause_recall_mean','-'):>6}  {r['loadavg_start']} | {r['loadavg_end']}")
print("wrote", out)
