"""Memory of `python -m assistant serve` (the Gradio app, not only the engine) on a shared build.

Starts the app on a free loopback port against the build the environment names (PLANQA_VECTOR_URI,
PLANQA_DATABASE_URL, PLANQA_CORPUS/PLANQA_INDEX as for `serve`), waits until it answers, asks questions
over HTTP through the public /ask endpoint (gradio_client), optionally opens the app's page in headless
Chromium (the page's load events fill the targets table, as a staff member's browser does), and reports
the server's resident memory (VmRSS) after each step and its peak (VmHWM). The server is stopped at the end.

    python bench/serve_rss.py [--plans N] [--browser] [--json] [--build DIR]

Questions: bench/scale.py's region-less QUERIES and its plan-scoped ones for N replicated plans.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
for _var in ("NO_PROXY", "no_proxy"):  # never route loopback through a proxy
    os.environ[_var] = ",".join(x for x in (os.environ.get(_var), "127.0.0.1", "localhost") if x)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from load import free_port  # noqa: E402
from scale import QUERIES, scoped_queries, shared_servers  # noqa: E402

START_TIMEOUT_S = 300.0
ASK_TIMEOUT_S = 120.0
TAB_WAIT_S = 5.0  # after a page or tab is shown, for its events to run (RSS is read after)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, MB (Linux /proc)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plans", type=int, default=0, help="replicated plans in the build (bench/scale.py names)")
    ap.add_argument("--browser", action="store_true", help="also open the app's page in headless Chromium")
    ap.add_argument("--build", type=Path, help="a build kept by bench/scale.py --keep: its servers are started for the run")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.build is not None:
        with shared_servers(args.build) as env:
            os.environ.update(env)
            return measure(args)
    return measure(args)


def measure(args: argparse.Namespace) -> int:
    if not (os.environ.get("PLANQA_VECTOR_URI") or os.environ.get("PLANQA_DATABASE_URL")):
        raise SystemExit("set PLANQA_VECTOR_URI / PLANQA_DATABASE_URL to a shared build")
    questions = list(QUERIES) + (scoped_queries(args.plans)[0][::2] if args.plans else [])
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = Path(tempfile.mkstemp(prefix="serve-rss-", suffix=".log")[1])
    data = Path(tempfile.mkdtemp(prefix="serve-rss-data-"))
    env = dict(os.environ, PYTHONUNBUFFERED="1", PLANQA_DATA=str(data))
    with open(log, "ab") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    steps: list[dict] = []
    try:
        t0 = time.monotonic()
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"serve exited with {proc.returncode}: see {log}")
            try:
                with urllib.request.urlopen(url + "gradio_api/info", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() - t0 > START_TIMEOUT_S:
                raise SystemExit(f"serve not answering after {START_TIMEOUT_S:.0f}s: see {log}")
            time.sleep(0.5)
        steps.append({"step": "started", "seconds": time.monotonic() - t0, **memory(proc.pid)})
        from gradio_client import Client

        client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
        lat = []
        for q in questions:
            t = time.perf_counter()
            a = client.submit(q, [], api_name="/ask").result(timeout=ASK_TIMEOUT_S)
            lat.append((time.perf_counter() - t) * 1000)
            if not isinstance(a, dict) or not a.get("answer"):
                raise SystemExit(f"bad answer to {q}: {a!r:.200}")
        slowest = max(range(len(lat)), key=lat.__getitem__)
        steps.append({"step": f"answered {len(questions)} questions over HTTP", "ask_ms_max": max(lat),
                      "ask_ms_median": sorted(lat)[len(lat) // 2], "slowest": f"#{slowest + 1} {questions[slowest]}",
                      **memory(proc.pid)})
        client.close()
        if args.browser:
            if not CHROMIUM.exists():
                raise SystemExit("--browser needs /usr/bin/chromium")
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
                page = b.new_page()
                t = time.perf_counter()
                page.goto(url, timeout=ASK_TIMEOUT_S * 1000)  # (Gradio keeps a connection open: no network idle)
                page.get_by_role("tab", name="目标表").wait_for(timeout=ASK_TIMEOUT_S * 1000)
                time.sleep(TAB_WAIT_S)
                steps.append({"step": "opened the page in Chromium", "seconds": time.perf_counter() - t,
                              **memory(proc.pid)})
                for tab in ("目标表", "对比", "规划浏览", "监测"):  # each tab shown once, as a user looks around
                    t = time.perf_counter()
                    page.get_by_role("tab", name=tab).click()
                    if tab == "目标表":  # the page's load event fills it with every plan's targets
                        page.get_by_text(re.compile(r"共 \d+ 条目标")).wait_for(timeout=ASK_TIMEOUT_S * 1000)
                    time.sleep(TAB_WAIT_S)  # the tab's own events
                    steps.append({"step": f"showed the {tab} tab", "seconds": time.perf_counter() - t,
                                  **memory(proc.pid)})
                b.close()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    if args.json:
        print(json.dumps(steps, ensure_ascii=False))
    else:
        for s in steps:
            print(" | ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{v}" for k, v in s.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
