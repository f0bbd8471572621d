"""python -m assistant: stats, clauses, targets, observations, status, ask, chat, eval, build, serve."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path

from assistant.config import Settings


def _settings(args) -> Settings:
    return Settings.load(corpus_dir=args.corpus, index_dir=args.index)


def _tables(args):
    from assistant.store.db import load_tables

    s = _settings(args)
    return load_tables(s.corpus_dir, s.db_path)


def cmd_stats(args) -> int:
    data = _tables(args)
    counts = Counter((c.doc_id, c.part, c.section) for c in data.clauses)
    print("| doc_id | part | section | clauses |\n|---|---|---|---|")
    for (d, p, s), n in sorted(counts.items()):
        print(f"| {d} | {p} | {s} | {n} |")
    t = Counter((x.doc_id, x.kind, x.value_num is not None) for x in data.targets)
    print("\n| doc_id | targets (numeric) | targets (qualitative) | achieved figures |\n|---|---|---|---|")
    for d in sorted({x.doc_id for x in data.targets}):
        print(f"| {d} | {t[(d, 'target', True)]} | {t[(d, 'target', False)]} | {t[(d, 'achieved', True)]} |")
    for e in data.errors:
        print(f"error: {e}", file=sys.stderr)
    return 0


def cmd_clauses(args) -> int:
    data = _tables(args)
    fields = ["doc_id", "clause_id", "label", "population", "domain", "domain_key", "section", "clause_no", "title", "text"]
    for c in data.clauses:
        if args.doc and c.doc_id != args.doc:
            continue
        row = c.model_dump()
        print(json.dumps({k: row[k] for k in fields}, ensure_ascii=False))
    return 0


def cmd_targets(args) -> int:
    data = _tables(args)
    text_of = {c.clause_id: c.text for c in data.clauses}
    rows = []
    for t in data.targets:
        if (args.doc and t.doc_id != args.doc) or (args.indicator and args.indicator not in (t.indicator_key, t.indicator)):
            continue
        rows.append({**t.model_dump(), "clause_text": text_of[t.clause_id]})
    if args.format == "jsonl":
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
    elif args.format == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["doc_id"])
        w.writeheader()
        w.writerows(rows)
        sys.stdout.write(buf.getvalue())
    else:
        from openpyxl import Workbook

        if not args.output:
            print("--format xlsx needs --output FILE.xlsx", file=sys.stderr)
            return 2
        wb = Workbook()
        ws = wb.active
        ws.title = "targets"
        if rows:
            ws.append(list(rows[0]))
            for r in rows:
                ws.append([r[k] for k in rows[0]])
        wb.save(args.output)
        print(f"wrote {len(rows)} rows to {args.output}")
    return 0


def cmd_observations_add(args) -> int:
    from assistant.ingest.observations import TableError
    from assistant.monitor import add_observations
    from assistant.store.observations import ObservationStore, ObservationStoreError

    settings = _settings(args)
    try:
        report = add_observations(args.file, ObservationStore(settings.observations_path), _tables(args), args.dry_run)
    except (TableError, ObservationStoreError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    read = report.read
    print(f"{args.file}: {read.rows} rows; columns " + ", ".join(f"{k}={v}" for k, v in read.columns.items()))
    for p in report.problems:
        print(f"  row {p.row} not matched: {p.problem}")
    if args.dry_run:
        print(f"dry run: {len(read.observations)} rows would be stored, {len(report.problems)} not matched; nothing written")
    else:
        print(f"stored {report.new} new and {report.replaced} replaced rows in {settings.observations_path}; "
              f"{len(report.problems)} not matched")
    return 1 if report.problems else 0


def cmd_observations_list(args) -> int:
    from assistant.monitor import load_observations
    from assistant.store.observations import ObservationStore

    for o in load_observations(_tables(args), ObservationStore(_settings(args).observations_path)):
        print(o.model_dump_json())
    return 0


def cmd_status(args) -> int:
    from assistant.monitor import ANNUAL_COLUMNS, annual_rows, load_observations, spreadsheet_safe, statuses
    from assistant.store.observations import ObservationStore

    data = _tables(args)
    if args.doc and args.doc not in {d.doc_id for d in data.docs}:
        print(f"error: no document {args.doc!r}; known: {', '.join(d.doc_id for d in data.docs)}", file=sys.stderr)
        return 2
    docs = [d for d in data.docs if not args.doc or d.doc_id == args.doc]
    observations = load_observations(data, ObservationStore(_settings(args).observations_path))
    rows = statuses(data.targets, observations, docs, data.clauses)
    if args.format == "jsonl":
        for r in rows:
            print(r.model_dump_json())
        return 0
    table = annual_rows(rows)
    if args.format == "csv":
        out = open(args.output, "w", encoding="utf-8-sig", newline="") if args.output else sys.stdout
        try:
            w = csv.DictWriter(out, fieldnames=ANNUAL_COLUMNS)
            w.writeheader()
            w.writerows(spreadsheet_safe(table))
        finally:
            if args.output:
                out.close()
        return 0
    if not args.output:
        print("--format xlsx needs --output FILE.xlsx", file=sys.stderr)
        return 2
    from assistant.monitor import write_annual_xlsx

    write_annual_xlsx(table, args.output)
    print(f"wrote {len(table)} rows to {args.output}")
    return 0


def _engine(args):
    from assistant.engine import Engine

    return Engine.load(_settings(args))


def cmd_ask(args) -> int:
    engine = _engine(args)
    if args.batch:
        from assistant.evaluate import load_golden

        for g in load_golden([Path(args.batch)]):
            a = engine.ask(g.question, g.history)
            print(json.dumps({"id": g.id, **json.loads(a.model_dump_json())}, ensure_ascii=False))
        return 0
    if not args.question:
        print("ask needs a question (or --batch FILE)", file=sys.stderr)
        return 2
    a = engine.ask(args.question, args.history or [])
    if args.json:
        print(a.model_dump_json())
    else:
        print(a.answer)
        for c in a.citations:
            print(f"  〔{c.label}〕 {c.quote}")
    return 0


def cmd_chat(args) -> int:
    engine = _engine(args)
    history: list[str] = []
    print("妇儿规划问答助手。输入问题，空行或 Ctrl-D 退出；输入“新对话”清空上下文。")
    for line in sys.stdin:
        q = line.strip()
        if not q:
            break
        if q == "新对话":
            history = []
            continue
        a = engine.ask(q, history)
        print(a.answer)
        for c in a.citations:
            print(f"  〔{c.label}〕")
        history.append(q)
    return 0


def cmd_eval(args) -> int:
    from assistant.evaluate import THRESHOLDS, failures, format_table, load_golden, score, summarise

    engine = _engine(args)
    golden = load_golden([Path(p) for p in args.files])
    results = [score(g, engine.ask(g.question, g.history), engine.clause) for g in golden]
    summary = summarise(results)
    if args.json:
        print(json.dumps({"summary": summary, "thresholds": THRESHOLDS, "results": results}, ensure_ascii=False))
    else:
        print(format_table(summary))
    bad = failures(summary)
    for b in bad:
        print(f"below threshold: {b}", file=sys.stderr)
    return 1 if bad and args.gate else 0


def cmd_serve(args) -> int:
    # The UI is a separate package on top of this one: run it as its own module.
    argv = [sys.executable, "-m", "ui", "--host", args.host, "--port", str(args.port)]
    if args.corpus:
        argv += ["--corpus", str(args.corpus)]
    if args.index:
        argv += ["--index", str(args.index)]
    os.execv(sys.executable, argv)
    return 0  # pragma: no cover


def cmd_build(args) -> int:
    """Write the index to the configured shared stores (PLANQA_VECTOR_URI / PLANQA_DATABASE_URL)."""
    from assistant.store.shared import build, database_url, vector_uri

    s = _settings(args)
    if not s.shared:
        print("error: build writes shared stores; set PLANQA_VECTOR_URI and/or PLANQA_DATABASE_URL "
              "(the embedded index builds itself on first use)", file=sys.stderr)
        return 2
    r = build(s)
    print(json.dumps({"build_id": r.build_id, "clauses": r.clauses, "embedded": r.embedded,
                      "seconds": round(r.seconds, 1), "pruned": r.pruned, "database": _redact(database_url(s)),
                      "vectors": vector_uri(s)}, ensure_ascii=False))
    return 0


def _redact(url: str) -> str:
    """A database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m assistant", description="妇儿规划问答助手 — exact, cited answers from development plans.")
    p.add_argument("--corpus", type=Path, help="corpus folder (manifest.yaml + plans/); env PLANQA_CORPUS")
    p.add_argument("--index", type=Path, help="folder for built tables and indexes; env PLANQA_INDEX")
    p.add_argument("-v", "--verbose", action="store_true")
    # the same folder options after the command name too: ask "…" --index DIR
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--index", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="cmd", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    command("stats", "clause and target counts per document and section").set_defaults(fn=cmd_stats)
    c = command("clauses", "every clause with its id and label")
    c.add_argument("--doc")
    c.add_argument("--format", choices=["jsonl"], default="jsonl")
    c.set_defaults(fn=cmd_clauses)
    t = command("targets", "the targets table")
    t.add_argument("--doc")
    t.add_argument("--indicator", help="indicator_key or indicator as written")
    t.add_argument("--format", choices=["jsonl", "csv", "xlsx"], default="jsonl")
    t.add_argument("--output", help="file for xlsx")
    t.set_defaults(fn=cmd_targets)
    o = command("observations", "observed values: add a CSV/Excel table, or list them")
    osub = o.add_subparsers(dest="observations_cmd", required=True)
    oa = osub.add_parser("add", parents=[common], help="read a table (地区, 指标, 年份, 数值, 单位, 来源) and store its rows")
    oa.add_argument("file", help=".csv or .xlsx")
    oa.add_argument("--dry-run", action="store_true", help="read and report only; store nothing")
    oa.set_defaults(fn=cmd_observations_add)
    osub.add_parser("list", parents=[common], help="every observation (corpus and added) as JSONL").set_defaults(
        fn=cmd_observations_list)
    st = command("status", "each target against its latest observation: met / not_met / at_risk / no_data / qualitative")
    st.add_argument("--doc")
    st.add_argument("--format", choices=["jsonl", "csv", "xlsx"], default="jsonl")
    st.add_argument("--output", help="file for csv (else stdout) or xlsx")
    st.set_defaults(fn=cmd_status)
    a = command("ask", "answer one question (or a golden file with --batch)")
    a.add_argument("question", nargs="?")
    a.add_argument("--history", action="append", help="an earlier turn; repeat, oldest first")
    a.add_argument("--json", action="store_true")
    a.add_argument("--batch", help="golden-format JSONL file: answer every line")
    a.set_defaults(fn=cmd_ask)
    command("chat", "interactive terminal chat").set_defaults(fn=cmd_chat)
    e = command("eval", "score golden sets")
    e.add_argument("files", nargs="+")
    e.add_argument("--json", action="store_true")
    e.add_argument("--gate", action="store_true", help="exit 1 when a threshold is missed")
    e.set_defaults(fn=cmd_eval)
    command("build", "write the index to the shared stores (Milvus, PostgreSQL); `serve` replicas pick it up").set_defaults(
        fn=cmd_build)
    s = command("serve", "start the web app (Gradio)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=7860)
    s.set_defaults(fn=cmd_serve)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.fn(args)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
