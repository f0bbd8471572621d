"""Many users: throughput and latency of the running app under N concurrent API clients.

Starts the real server (`python -m ui`) on a free loopback port with a fresh feedback SQLite
file, then for each N in --clients runs N client threads for --seconds. Each client has its own
gradio_client.Client and loops over the golden questions (question + history) of
eval_sets/*.jsonl through the public /ask endpoint; every --feedback-every-th answer it also
posts a thumbs up/down through /feedback. Reports per N: requests, req/s, p50/p95/p99 latency
of /ask, errors, and feedback writes sent vs rows that landed in the SQLite file.
Everything goes to 127.0.0.1; the server is stopped at the end, on Ctrl-C and on errors.

    python bench/load.py [--clients 1 8 32] [--seconds 20] [--index DIR] [--json]

Soak (--soak MINUTES): the first --clients value runs that long, each client opening a fresh
session every --reconnect-every questions; the server's RSS is sampled every --sample-every
seconds and reported with the growth rate over each half, to show memory levels off.

Fault (--fault): the first --clients value runs --seconds; halfway the server is killed with
SIGKILL and restarted on the same port and feedback file. Clients reconnect and carry on; at
the end every acknowledged vote (a row id returned to a client) must be in the SQLite file
exactly once, and no more rows than votes sent.
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
    def __init__(self, index: str, feedback: Path | None, log: Path, env: dict[str, str] | None = None,
                 port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        cmd = [sys.executable, "-m", "ui", "--host", "127.0.0.1", "--port", str(self.port), "--index", index]
        if feedback is not None:  # else the shared database of PLANQA_DATABASE_URL
            cmd += ["--feedback", str(feedback)]
        env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        self._log_fh = open(log, "ab")
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

    def rss_mb(self) -> float | None:
        """Resident memory of the server process (Linux /proc), MB."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def kill9(self) -> None:
        """The crash under test: SIGKILL, no cleanup of any kind."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=15)
        self._log_fh.close()

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
        if not self._log_fh.closed:
            self._log_fh.close()


def feedback_rows(path: Path | str) -> int:
    return len(feedback_ids(path))


def feedback_ids(path: Path | str) -> list[int]:
    """Ids of the stored votes: in the SQLite file, or in the shared database when ``path`` is a URL."""
    if isinstance(path, str) and "://" in path:
        from assistant.store.sql import SqlStore

        store = SqlStore(path)
        try:
            return [v["id"] for v in store.votes()]
        finally:
            store.close()
    if not path.exists():
        return []
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return [r[0] for r in con.execute("SELECT id FROM feedback ORDER BY id")]
    finally:
        con.close()


# ---- the clients ----------------------------------------------------------------------------

@dataclass
class ClientStats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_times: list[float] = field(default_factory=list)  # monotonic time of each error
    feedback_sent: int = 0
    feedback_ids: list[int] = field(default_factory=list)
    sessions: int = 0

    def error(self, msg: str) -> None:
        self.errors.append(msg)
        self.error_times.append(time.monotonic())


def _connect(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False, analytics_enabled=False)


def run_client(url: str, questions, offset: int, every: int, start: threading.Barrier,
               stop_at: list[float], stop: threading.Event, stats: ClientStats, reconnect_every: int = 0) -> None:
    """Ask in a loop; after any error (a killed server) or every `reconnect_every` questions,
    open a fresh client (a new Gradio session)."""
    client = None
    try:
        client = _connect(url)
        stats.sessions += 1
    except Exception as e:  # noqa: BLE001 - counted, the level goes on
        stats.error(f"connect: {type(e).__name__}: {e}")
    try:
        start.wait()
    except threading.BrokenBarrierError:
        return
    i, answered, asked = offset, 0, 0
    try:
        while not stop.is_set() and time.monotonic() < stop_at[0]:
            if client is None or (reconnect_every and asked and asked % reconnect_every == 0):
                if client is not None:
                    client.close()
                    client = None
                try:
                    client = _connect(url)
                    stats.sessions += 1
                except Exception as e:  # noqa: BLE001 - the server may be down (fault mode): retry
                    stats.error(f"connect: {type(e).__name__}: {str(e)[:200]}")
                    time.sleep(1.0)
                    continue
            question, history = questions[i % len(questions)]
            i += 1
            asked += 1
            t0 = time.perf_counter()
            try:
                result = client.submit(question, history, api_name="/ask").result(timeout=REQUEST_TIMEOUT_S)
                if not isinstance(result, dict) or not isinstance(result.get("answer"), str) or not result["answer"]:
                    raise ValueError(f"bad /ask result: {str(result)[:200]}")
            except Exception as e:  # noqa: BLE001
                stats.latencies_ms.append((time.perf_counter() - t0) * 1000)
                stats.error(f"ask: {type(e).__name__}: {str(e)[:200]}")
                client.close()
                client = None
                continue
            stats.latencies_ms.append((time.perf_counter() - t0) * 1000)
            answered += 1
            if every and answered % every == 0:
                stats.feedback_sent += 1
                try:
                    row = client.submit(result["turn_id"], answered % (2 * every) == 0,
                                        api_name="/feedback").result(timeout=REQUEST_TIMEOUT_S)
                    stats.feedback_ids.append(int(row))
                except Exception as e:  # noqa: BLE001
                    stats.error(f"feedback: {type(e).__name__}: {str(e)[:200]}")
    finally:
        if client is not None:
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
              stop: threading.Event, reconnect_every: int = 0, during=None) -> dict:
    """N clients for `seconds` (client j on replica j mod len(urls)). `during(t0, stop_at)` runs in the
    main thread meanwhile (RSS sampling, the kill) and may return extra fields for the result."""
    urls = [urls] if isinstance(urls, str) else urls
    before = feedback_rows(feedback_path)
    stats = [ClientStats() for _ in range(n)]
    start = threading.Barrier(n + 1)
    stop_at = [float("inf")]
    step = max(1, len(questions) // n)
    threads = [threading.Thread(target=run_client, daemon=True, name=f"client-{j}",
                                args=(urls[j % len(urls)], questions, j * step, every, start, stop_at, stop, stats[j], reconnect_every))
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
    extra = during(t0, stop_at[0]) if during else {}
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
    stored = feedback_ids(feedback_path)
    rows = len(stored) - before
    r = lambda x: None if x is None else round(x, 1)  # noqa: E731
    out = {
        "clients": n, "replicas": len(urls), "seconds": round(elapsed, 2), "requests": len(lat),
        "throughput_rps": round(len(lat) / elapsed, 2) if elapsed else 0.0,
        "p50_ms": r(percentile(lat, 50)), "p95_ms": r(percentile(lat, 95)), "p99_ms": r(percentile(lat, 99)),
        "max_ms": r(lat[-1] if lat else None), "errors": len(errors), "error_samples": errors[:5],
        "sessions": sum(s.sessions for s in stats),
        "feedback_sent": sent, "feedback_acked": len(ids), "feedback_unique_ids": len(set(ids)),
        "feedback_rows": rows, "feedback_ok": sent == rows == len(set(ids)),
        # a vote acknowledged to its client is stored exactly once; nothing is stored that was not sent
        "acked_stored_once": len(ids) == len(set(ids)) and set(ids) <= set(stored) and len(stored) == len(set(stored)),
        "_error_times": [t for s in stats for t in s.error_times],
    }
    out.update(extra or {})
    return out


def sample_rss(server_ref: list, every_s: float, t0: float, stop_at: float, stop: threading.Event) -> dict:
    """Soak: the server's RSS every `every_s` seconds until the level ends."""
    samples = []
    while not stop.is_set() and time.monotonic() < stop_at:
        mb = server_ref[0].rss_mb()
        if mb is not None:
            samples.append((round(time.monotonic() - t0, 1), round(mb, 1)))
        time.sleep(min(every_s, max(0.0, stop_at - time.monotonic())) or 0.01)
    half = len(samples) // 2

    def slope(xs):  # MB per minute, least squares
        if len(xs) < 2:
            return None
        n = len(xs)
        mt, mm = sum(t for t, _ in xs) / n, sum(m for _, m in xs) / n
        den = sum((t - mt) ** 2 for t, _ in xs)
        return round(60 * sum((t - mt) * (m - mm) for t, m in xs) / den, 2) if den else None

    return {"rss_samples": samples, "rss_start_mb": samples[0][1] if samples else None,
            "rss_end_mb": samples[-1][1] if samples else None, "rss_max_mb": max((m for _, m in samples), default=None),
            "rss_slope_first_half_mb_min": slope(samples[:half]), "rss_slope_second_half_mb_min": slope(samples[half:]),
            "rss_slope_last_quarter_mb_min": slope(samples[len(samples) * 3 // 4:])}


def kill_and_restart(server_ref: list, t0: float, stop_at: float, stop: threading.Event, make_server) -> dict:
    """Fault: SIGKILL the server halfway through, start a new one on the same port and feedback file."""
    kill_at = t0 + (stop_at - t0) / 2
    while not stop.is_set() and time.monotonic() < kill_at:
        time.sleep(0.2)
    acked_before = feedback_rows(server_ref[1])
    server_ref[0].kill9()
    killed = time.monotonic()
    print(f"  killed the server (SIGKILL) at {killed - t0:.1f}s; restarting ...", file=sys.stderr)
    server_ref[0] = make_server()
    ready = server_ref[0].wait_ready()
    print(f"  server back after {time.monotonic() - killed:.1f}s", file=sys.stderr)
    return {"killed_at_s": round(killed - t0, 1), "down_s": round(time.monotonic() - killed, 1),
            "restart_ready_s": round(ready, 1), "rows_at_kill": acked_before,
            "_outage": (killed, time.monotonic())}


def soak_markdown(x: dict) -> str:
    pts = x["rss_samples"]
    step = max(1, len(pts) // 12)
    series = ", ".join(f"{t:.0f}s {m:.0f}" for t, m in pts[::step])
    return (f"| clients | minutes | requests | sessions | p50 ms | p95 ms | errors | RSS start → max → end MB | "
            f"growth 1st half | 2nd half | last quarter | feedback sent / rows |\n|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|\n"
            f"| {x['clients']} | {x['seconds'] / 60:.1f} | {x['requests']} | {x['sessions']} | {x['p50_ms']:.0f} | "
            f"{x['p95_ms']:.0f} | {x['errors']} | {x['rss_start_mb']:.0f} → {x['rss_max_mb']:.0f} → {x['rss_end_mb']:.0f} | "
            f"{x['rss_slope_first_half_mb_min']} MB/min | {x['rss_slope_second_half_mb_min']} MB/min | "
            f"{x['rss_slope_last_quarter_mb_min']} MB/min | "
            f"{x['feedback_sent']} / {x['feedback_rows']} |\n\nRSS samples (time, MB): {series}")


def fault_markdown(x: dict) -> str:
    return (f"| clients | seconds | killed at | back after | requests | errors (in outage / outside) | "
            f"votes sent | acked | rows | acked stored exactly once |\n|---:|---:|---:|---:|---:|---|---:|---:|---:|---|\n"
            f"| {x['clients']} | {x['seconds']:.0f} | {x['killed_at_s']:.0f}s | {x['down_s']:.0f}s | {x['requests']} | "
            f"{x['errors']} ({x['errors_in_outage']} / {x['errors_outside_outage']}) | {x['feedback_sent']} | "
            f"{x['feedback_acked']} | {x['feedback_rows']} | {'yes' if x['acked_stored_once'] else 'NO'} |")


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
    p.add_argument("--soak", type=float, metavar="MINUTES", help="soak: first --clients value for MINUTES, RSS sampled")
    p.add_argument("--sample-every", type=float, default=5.0, metavar="S", help="soak: RSS sample interval")
    p.add_argument("--reconnect-every", type=int, default=20, metavar="K",
                   help="soak/fault: each client opens a new session every K questions (0: never)")
    p.add_argument("--fault", action="store_true", help="fault: SIGKILL and restart the server halfway through --seconds")
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
        server_ref = [server, feedback_path]

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
            if args.soak or args.fault:
                n = args.clients[0]
                if args.soak:
                    seconds = args.soak * 60
                    during = lambda t0, end: sample_rss(server_ref, args.sample_every, t0, end, stop)  # noqa: E731
                else:
                    seconds = args.seconds
                    make = lambda: Server(args.index, feedback_path, Path(tmp) / "server.log", port=server.port)  # noqa: E731
                    during = lambda t0, end: kill_and_restart(server_ref, t0, end, stop, make)  # noqa: E731
                print(f"{'soak' if args.soak else 'fault'}: {n} client(s) for {seconds:g}s ...", file=sys.stderr)
                res = run_level(server.url, n, seconds, questions, args.feedback_every, feedback_path, stop,
                                reconnect_every=args.reconnect_every, during=during)
                if args.fault:
                    lo, hi = res.pop("_outage")
                    res["errors_in_outage"] = sum(lo <= t <= hi + 5 for t in res["_error_times"])
                    res["errors_outside_outage"] = res["errors"] - res["errors_in_outage"]
                for e in res["error_samples"]:
                    print(f"  error: {e}", file=sys.stderr)
                results.append(res)
            for n in ([] if args.soak or args.fault else args.clients):
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
            server_ref[0].stop()
            for sv in servers[1:]:
                sv.stop()

    for r in results:
        r.pop("_error_times", None)
    if args.json:
        print(json.dumps({"questions": len(questions), "feedback_every": args.feedback_every,
                          "cpus": os.cpu_count(), "levels": results}, ensure_ascii=False, indent=2))
    elif args.soak:
        print(soak_markdown(results[0]))
    elif args.fault:
        print(fault_markdown(results[0]))
    else:
        print(markdown(results))
    if args.fault:  # errors while the server is down are the point; what counts is after it and the votes
        ok = all(r["errors_outside_outage"] == 0 and r["acked_stored_once"] for r in results)
    else:
        ok = all(r["errors"] == 0 and r["feedback_ok"] for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
