"""Many users: throughput and latency of the running app under N concurrent API clients.

Starts the real server (`python -m ui`) on a free loopback port with a fresh feedback SQLite
file, then for each N in --clients runs N client threads for --seconds. Each client has its own
gradio_client.Client and loops over the golden questions (question + history) of
eval_sets/*.jsonl through the public /ask endpoint; every --feedback-every-th answer it also
posts a thumbs up/down through /feedback. Reports per N: requests, req/s, p50/p95/p99 latency
of /ask, errors, and feedback writes sent vs rows that landed in the SQLite file.
Everything goes to 127.0.0.1; the server is stopped at the end, on Ctrl-C and on errors.

    python bench/load.py [--clients 1 8 32] [--seconds 20] [--index DIR] [--json]

Several replicas on shared stores: ``--replicas 2 --database-url postgresql+psycopg://… --vector-uri F``
starts that many servers on one database (each with its own copy of a Milvus Lite file F, which is
single-process; a Milvus server URL is shared as is); client j talks to replica j mod N, and the vote
count is read from the database. Build the stores first with ``python -m assistant build``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # gradio_client would otherwise phone home
os.environ.setdefault("HF_HUB_OFFLINE", "1")
for _var in ("NO_PROXY", "no_proxy"):  # never route loopback through a proxy
    os.environ[_var] = ",".join(x for x in (os.environ.get(_var), "127.0.0.1", "localhost") if x)

ROOT = Path(__file__).resolve().parent.parent
REQUEST_TIMEOUT_S = 120.0  # one /ask or /feedback call longer than this counts as an error
START_TIMEOUT_S = 600.0  # first start may build the index (1-2 min on 2 cores)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_questions() -> list[tuple[str, list[str]]]:
    out = []
    for path in sorted((ROOT / "eval_sets").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                out.append((item["question"], list(item.get("history") or [])))
    if not out:
        raise SystemExit("no questions in eval_sets/*.jsonl")
    return out


# ---- the server -----------------------------------------------------------------------------

class Server:
    def __init__(self, index: str, feedback: Path | None, log: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        cmd = [sys.executable, "-m", "ui", "--host", "127.0.0.1", "--port", str(self.port), "--index", index]
        if feedback is not None:  # else the shared database of PLANQA_DATABASE_URL
            cmd += ["--feedback", str(feedback)]
        env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        self._log_fh = open(log, "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log_fh, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; log:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + "gradio_api/info", timeout=5) as r:
                    if r.status == 200:
                        return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"server not answering after {timeout:.0f}s; log:\n{self.tail()}")

    def tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the server and its children only
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
            except ProcessLookupError:
                pass
        self._log_fh.close()


def feedback_rows(path: Path | str) -> int:
    """Stored votes: in the SQLite file, or in the shared database when ``path`` is a database URL."""
    if isinstance(path, str) and "://" in path:
        from assistant.store.sql import SqlStore

        store = SqlStore(path)
        try:
            return store.vote_count()
        finally:
            store.close()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
    finally:
        con.close()


# ---- the clients ----------------------------------------------------------------------------

@dataclass
class ClientStats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    feedback_sent: int = 0
    feedback_ids: list[int] = field(default_factory=list)


def run_client(url: str, questions, offset: int, every: int, start: threading.Barrier,
               stop_at: list[float], stop: threading.Event, stats: ClientStats) -> None:
    from gradio_client import Client

    client = None
    try:
        client = Client(url, verbose=False, download_files=False, analytics_enabled=False)
    except Exception as e:  # noqa: BLE001 - counted, the level goes on
        stats.errors.append(f"connect: {type(e).__name__}: {e}")
    try:
        start.wait()
    except threading.BrokenBarrierError:
        return
    if client is None:
        return
    i, answered = offset, 0
    try:
        while not stop.is_set() and time.monotonic() < stop_at[0]:
            question, history = questions[i % len(questions)]
            i += 1
            t0 = time.perf_counter()
            try:
                result = client.submit(question, history, api_name="/ask").result(timeout=REQUEST_TIMEOUT_S)
                if not isinstance(result, dict) or not isinstance(result.get("answer"), str) or not result["answer"]:
                    raise ValueError(f"bad /ask result: {str(result)[:200]}")
            except Exception as e:  # noqa: BLE001
                stats.latencies_ms.append((time.perf_counter() - t0) * 1000)
                stats.errors.append(f"ask: {type(e).__name__}: {str(e)[:200]}")
                continue
            stats.latencies_ms.append((time.perf_counter() - t0) * 1000)
            answered += 1
            if every and answered % every == 0:
                stats.feedback_sent += 1
                try:
                    row = client.submit(question, history, result["answer"], result.get("citations") or [],
                                        answered % (2 * every) == 0, api_name="/feedback").result(timeout=REQUEST_TIMEOUT_S)
                    stats.feedback_ids.append(int(row))
                except Exception as e:  # noqa: BLE001
                    stats.errors.append(f"feedback: {type(e).__name__}: {str(e)[:200]}")
    finally:
        client.close()


def percentile(sorted_xs: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks."""
    if not sorted_xs:
        return None
    k = (len(sorted_xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (k - lo)


def run_level(urls: str | list[str], n: int, seconds: float, questions, every: int, feedback_path: Path | str,
              stop: threading.Event) -> dict:
    urls = [urls] if isinstance(urls, str) else urls
    before = feedback_rows(feedback_path)
    stats = [ClientStats() for _ in range(n)]
    start = threading.Barrier(n + 1)
    stop_at = [float("inf")]
    step = max(1, len(questions) // n)
    threads = [threading.Thread(target=run_client, daemon=True, name=f"client-{j}",
                                args=(urls[j % len(urls)], questions, j * step, every, start, stop_at, stop, stats[j]))
               for j in range(n)]
    for t in threads:
        t.start()
    try:
        start.wait(timeout=300)  # every client connected (or failed to)
    except threading.BrokenBarrierError:
        stop.set()
        raise RuntimeError(f"{n} clients did not connect within 300s")
    t0 = time.monotonic()
    stop_at[0] = t0 + seconds
    for t in threads:  # short joins so Ctrl-C reaches the main thread
        while t.is_alive():
            t.join(timeout=0.5)
            if time.monotonic() > stop_at[0] + REQUEST_TIMEOUT_S * 2 + 30:
                stop.set()
                raise RuntimeError(f"client {t.name} still busy long after the deadline")
    elapsed = time.monotonic() - t0
    lat = sorted(x for s in stats for x in s.latencies_ms)
    errors = [e for s in stats for e in s.errors]
    ids = [i for s in stats for i in s.feedback_ids]
    sent = sum(s.feedback_sent for s in stats)
    rows = feedback_rows(feedback_path) - before
    r = lambda x: None if x is None else round(x, 1)  # noqa: E731
    return {
        "clients": n, "replicas": len(urls), "seconds": round(elapsed, 2), "requests": len(lat),
        "throughput_rps": round(len(lat) / elapsed, 2) if elapsed else 0.0,
        "p50_ms": r(percentile(lat, 50)), "p95_ms": r(percentile(lat, 95)), "p99_ms": r(percentile(lat, 99)),
        "max_ms": r(lat[-1] if lat else None), "errors": len(errors), "error_samples": errors[:5],
        "feedback_sent": sent, "feedback_acked": len(ids), "feedback_unique_ids": len(set(ids)),
        "feedback_rows": rows, "feedback_ok": sent == rows == len(set(ids)),
    }


def markdown(results: list[dict]) -> str:
    head = ("| clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors | feedback sent | feedback rows |\n"
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    fmt = lambda x: "—" if x is None else f"{x:.0f}"  # noqa: E731
    lines = [head]
    for x in results:
        lines.append(f"| {x['clients']} | {x['requests']} | {x['throughput_rps']:.2f} | {fmt(x['p50_ms'])} | "
                     f"{fmt(x['p95_ms'])} | {fmt(x['p99_ms'])} | {x['errors']} | {x['feedback_sent']} | "
                     f"{x['feedback_rows']}{'' if x['feedback_ok'] else ' ✗'} |")
    return "\n".join(lines)


def start_servers(args, tmp: Path) -> list[Server]:
    """One server, or ``args.replicas`` on the shared stores (each its own Milvus Lite copy)."""
    if args.replicas < 2 and not args.database_url:
        return [Server(args.index, tmp / "feedback.sqlite", tmp / "server.log")]
    if not args.database_url:
        raise SystemExit("--replicas needs --database-url (the replicas share one database)")
    servers = []
    for j in range(args.replicas):
        env = {"PLANQA_DATABASE_URL": args.database_url}
        if args.vector_uri:
            env["PLANQA_VECTOR_URI"] = replica_vector_uri(args.vector_uri, tmp / f"replica{j}")
        servers.append(Server(args.index, None, tmp / f"server{j}.log", env))
    return servers


def replica_vector_uri(uri: str, folder: Path) -> str:
    """A Milvus server URL as is; a Milvus Lite file copied (Lite serves one process per file)."""
    if "://" in uri:
        return uri
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    src = Path(uri)
    dst = folder / src.name
    if src.is_dir():
        shutil.copytree(src, dst)
    else:
        shutil.copy2(src, dst)
        for side in src.parent.glob(src.name + "*"):  # Lite's side files (WAL, segments) beside it
            if side != src:
                (shutil.copytree if side.is_dir() else shutil.copy2)(side, folder / side.name)
    return str(dst)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32], help="concurrent clients per level")
    p.add_argument("--seconds", type=float, default=20.0, help="duration of each level")
    p.add_argument("--index", default=os.environ.get("PLANQA_INDEX") or str(ROOT / "index"),
                   help="index folder (default: PLANQA_INDEX or ./index)")
    p.add_argument("--feedback-every", type=int, default=5, metavar="K", help="each client votes on every K-th answer (0: never)")
    p.add_argument("--warmup", type=int, default=5, help="/ask calls before the first level (not counted)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a markdown table")
    p.add_argument("--replicas", type=int, default=1, help="app servers started (shared stores when > 1)")
    p.add_argument("--database-url", help="shared database (PostgreSQL): the replicas' tables and votes")
    p.add_argument("--vector-uri", help="shared Milvus: a server URL, or a Milvus Lite file copied per replica")
    args = p.parse_args(argv)
    if any(n < 1 for n in args.clients) or args.seconds <= 0:
        p.error("--clients must be >= 1 and --seconds > 0")

    questions = load_questions()
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix="planqa-load-") as tmp:
        servers = start_servers(args, Path(tmp))
        feedback_path = args.database_url or Path(tmp) / "feedback.sqlite"
        server = servers[0]

        def on_term(signum, frame):  # turn SIGTERM into the same clean stop as Ctrl-C
            raise KeyboardInterrupt

        old = signal.signal(signal.SIGTERM, on_term)
        try:
            for sv in servers:
                print(f"starting server on {sv.url} (index {args.index}) ...", file=sys.stderr)
            for sv in servers:
                print(f"server ready after {sv.wait_ready():.1f}s", file=sys.stderr)
            from gradio_client import Client

            for sv in servers:
                warm = Client(sv.url, verbose=False, download_files=False, analytics_enabled=False)
                try:
                    for q, h in questions[:args.warmup]:
                        warm.submit(q, h, api_name="/ask").result(timeout=REQUEST_TIMEOUT_S)
                finally:
                    warm.close()
            results = []
            for n in args.clients:
                print(f"{n} client(s) for {args.seconds:g}s ...", file=sys.stderr)
                res = run_level([sv.url for sv in servers], n, args.seconds, questions, args.feedback_every, feedback_path, stop)
                print(f"  {res['requests']} requests, p95 {res['p95_ms']} ms, {res['errors']} errors", file=sys.stderr)
                for e in res["error_samples"]:
                    print(f"  error: {e}", file=sys.stderr)
                results.append(res)
        except KeyboardInterrupt:
            stop.set()
            print("interrupted; stopping the server", file=sys.stderr)
            return 130
        finally:
            stop.set()
            signal.signal(signal.SIGTERM, old)
            for sv in servers:
                sv.stop()

    if args.json:
        print(json.dumps({"questions": len(questions), "feedback_every": args.feedback_every,
                          "cpus": os.cpu_count(), "levels": results}, ensure_ascii=False, indent=2))
    else:
        print(markdown(results))
    ok = all(r["errors"] == 0 and r["feedback_ok"] for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
