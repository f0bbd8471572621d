"""Where the answer code of the region-less questions that never search spends its time, on a kept shared build.

    python bench/prof_regionless.py [DIR]     # DIR: a `bench/scale.py --keep` build (default /tmp/scale8-b2000)

Starts PostgreSQL and the Milvus Lite server the way bench/scale.py does for a kept build, loads the engine in this
process, asks each question once (warm-up), then 9 times with timing wrappers (no profiler) on the engine's phases,
the strategies' reads, the numeric guard and SQLAlchemy's cursor (round-trips, rows) and gc callbacks; prints the
median run's breakdown and each run's GC. Then the same questions after assistant.engine.settle_heap() (gc.freeze,
as `serve` does once loaded), in the same process. (bench/RESULTS.md, "Scale: region-less search at 2,000 plans"; the
first version of this script measured the region-less cap and gc.freeze as what-ifs, before they were built.)"""
import collections, functools, json, os, statistics, sys, time
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "bench"))
import scale
work = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/scale8-b2000")
QS = ["孕产妇死亡率要控制在什么水平", "监测组由谁牵头", "普惠性幼儿园覆盖率"]
RUNS = 9  # timed runs per question after a warm-up: odd, so the median is one run (its breakdown is printed)
acc = collections.defaultdict(float); cnt = collections.Counter()
import gc
_gc = {}
def _cb(phase, info):
    if phase == "start": _gc["t"] = time.perf_counter()
    else:
        k = f"  GC gen{info['generation']}"; acc[k] += (time.perf_counter() - _gc["t"]) * 1000; cnt[k] += 1
gc.callbacks.append(_cb)
def wrap(obj, name, key):
    f = getattr(obj, name)
    @functools.wraps(f)
    def w(*a, **k):
        s = time.perf_counter()
        try: return f(*a, **k)
        finally: acc[key] += (time.perf_counter() - s) * 1000; cnt[key] += 1
    setattr(obj, name, w)
with scale.shared_servers(work) as env:
    os.environ.update(env)
    from assistant.config import Settings
    from assistant.engine import Engine
    import assistant.engine as E, assistant.guard as G, assistant.answer.compose as C
    e = Engine.load(Settings.load(corpus_dir=work / "corpus", index_dir=work / "index"))
    from sqlalchemy import event
    from sqlalchemy.engine import Engine as SAEngine
    sql = {"n": 0, "ms": 0.0, "rows": 0}
    @event.listens_for(SAEngine, "before_cursor_execute")
    def _b(conn, cur, stmt, params, ctx, many): ctx._t0 = time.perf_counter()
    @event.listens_for(SAEngine, "after_cursor_execute")
    def _a(conn, cur, stmt, params, ctx, many):
        sql["n"] += 1; sql["ms"] += (time.perf_counter() - ctx._t0) * 1000; sql["rows"] += max(cur.rowcount, 0)
    wrap(e, "understand", "understand"); wrap(E, "route", "route (strategy)"); wrap(E, "check", "guard.check")
    wrap(G, "strip_labels", "  guard.strip_labels"); wrap(G, "vouched", "  guard.vouched"); wrap(G, "unsupported", "  guard.unsupported")
    wrap(C, "cite", "  compose.cite"); wrap(C, "target_line", "  compose.target_line")
    for m in ("rows", "sentences_with", "scope"):
        if hasattr(e.ctx, m): wrap(e.ctx, m, f"  ctx.{m}")
    from assistant.answer.strategies.owner import Owner
    wrap(Owner, "_named_in_text", "  Owner._named_in_text"); Owner._named_in_text = staticmethod(Owner._named_in_text)
    if hasattr(e.ctx, "reader"): wrap(e.ctx.reader, "sentences_with", "    reader.sentences_with (SQL + split)")
    for q in QS: e.ask(q, [])
    res = {}
    for q in QS:
        lat, runs = [], []
        for _ in range(RUNS):
            acc.clear(); cnt.clear(); sql.update(n=0, ms=0.0, rows=0)
            s = time.perf_counter(); a = e.ask(q, []); lat.append((time.perf_counter() - s) * 1000)
            runs.append((dict(acc), dict(cnt), dict(sql)))
        i = sorted(range(RUNS), key=lambda j: lat[j])[RUNS // 2]
        ph, ct, sq = runs[i]
        plans = {c.doc_id for c in a.citations}
        print(f"\n=== {q}: median {lat[i]:.0f} ms, runs {[round(x) for x in lat]}; intent {a.intent}; answer {len(a.answer)} chars, "
              f"{len(a.citations)} citations over {len(plans)} plans, targets {len(getattr(a,'targets',[]) or [])}; SQL {sq}")
        for k, v in ph.items(): print(f"   {k:28s} {v:7.1f} ms  calls {ct[k]}")
        print('   per run (ms, GC ms by generation):', [(round(lat[j]), {k.strip(): round(v) for k, v in runs[j][0].items() if 'GC' in k}) for j in range(RUNS)])
    gc.callbacks.remove(_cb)

    def med(e, q, n=RUNS):
        lat = []
        for _ in range(n):
            s = time.perf_counter(); a = e.ask(q, []); lat.append((time.perf_counter() - s) * 1000)
        return statistics.median(lat), max(lat), a
    E.settle_heap()  # what `serve` does once loaded: the same questions, same process, after it
    for q in QS:
        e.ask(q, []); m, mx, a = med(e, q); print(f"after settle_heap  {q}: median {m:.0f} max {mx:.0f} ms")
    t = time.perf_counter(); e.understand("监测组由谁牵头"); print("understand alone ms", (time.perf_counter() - t) * 1000)
