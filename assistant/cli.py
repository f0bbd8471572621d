"""python -m assistant: stats, clauses, targets, add, owners, observations, status, feedback, ask, chat, eval, build, serve."""

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


def cmd_add(args) -> int:
    """Add plan files (PDF, Word, web page, text): draft the manifest entry, show what was read."""
    from assistant.intake import AddError, add_plan

    settings = _settings(args)
    if args.doc_id and len(args.files) > 1:
        print("error: --doc-id names one plan; add the files one at a time", file=sys.stderr)
        return 2
    overrides = dict(kv.split("=", 1) for kv in args.set or [] if "=" in kv)
    rc = 0
    for f in args.files:
        try:
            r = add_plan(settings.corpus_dir, Path(f), args.doc_id, dry_run=args.dry_run, overrides=overrides)
        except AddError as e:
            print(f"error: {e}", file=sys.stderr)
            rc = 2
            continue
        if args.json:
            print(json.dumps(r.as_dict(), ensure_ascii=False))
        else:
            _print_add(r, args.dry_run)
        if r.missing or r.duplicate_of:
            rc = max(rc, 1)
    return rc


def _print_add(r, dry_run: bool) -> None:
    import yaml

    print(f"# {r.file}: drafted manifest entry")
    print(yaml.safe_dump([r.entry], allow_unicode=True, sort_keys=False, default_flow_style=None, width=120), end="")
    if r.missing:
        print(f"not found in the text (give them with --set FIELD=VALUE): {', '.join(r.missing)}")
    if r.sections:
        print("| part/section | clauses |\n|---|---|")
        for k, n in r.sections.items():
            print(f"| {k} | {n} |")
        print(f"target rows: {r.targets} ({r.numeric_targets} numeric)")
    if r.duplicate_of:
        print(f"already in the corpus as {r.duplicate_of!r} (same title, region and period); not added")
    elif r.written:
        print(f"added as plans/{r.stored_as}; the index updates on next use (only new clauses are embedded)")
    elif dry_run:
        print("dry run: nothing written")
    else:
        print("not added: fill the missing fields")


def cmd_owners_add(args) -> int:
    """A 任务分工方案 table: each row matched to its clause by text, stored with the row as evidence."""
    import re

    from assistant.ingest.owners import write_assignments
    from assistant.ingest.tables import TableError, match_rows, read_task_table

    data = _tables(args)
    if args.doc_id not in {d.doc_id for d in data.docs}:
        print(f"error: no document {args.doc_id!r}; known: {', '.join(d.doc_id for d in data.docs)}", file=sys.stderr)
        return 2
    try:
        rows, columns = read_task_table(Path(args.file))
    except (TableError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    matches = match_rows(rows, [c for c in data.clauses if c.doc_id == args.doc_id])
    print(f"{args.file}: {len(rows)} rows; columns " + ", ".join(f"{k}={v}" for k, v in columns.items()))
    found = [m for m in matches if m.clause_id]
    for m in matches:
        if m.clause_id:
            print(f"  row {m.row.row} -> {m.clause_id} ({m.score:.2f}): 牵头 {m.row.lead}; 配合 {m.row.partners or '-'}")
        else:
            print(f"  row {m.row.row} not matched: {m.problem}: {m.row.task}")
    stored = [{"doc_id": args.doc_id, "clause_id": m.clause_id, "indicator_key": "", "lead": m.row.lead,
               "partners": m.row.partners, "evidence": m.row.evidence} for m in found if m.row.lead]
    if args.dry_run:
        print(f"dry run: {len(stored)} rows would be stored, {len(matches) - len(found)} not matched; nothing written")
    else:
        name = f"{args.doc_id}-" + re.sub(r"[^\w]+", "_", Path(args.file).stem).strip("_")
        out = write_assignments(_settings(args).corpus_dir / "owners", name, stored)
        print(f"stored {len(stored)} rows in {out}; {len(matches) - len(found)} not matched")
    return 1 if len(found) < len(matches) else 0


def _engine(args):
    from assistant.engine import Engine

    return Engine.load(_settings(args))


def cmd_ask(args) -> int:
    if args.batch:
        return _ask_batch(args)
    engine = _engine(args)
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


def _ask_batch(args) -> int:
    """Answer every good line of a golden-format JSONL file; each bad line is reported on stderr
    with its number, and the exit status is 1 when there was one."""
    from pydantic import ValidationError

    from assistant.evaluate import Golden
    from assistant.models import problems

    path = Path(args.batch)
    if not path.is_file():
        print(f"error: --batch {path}: not a file", file=sys.stderr)
        return 2
    engine = _engine(args)
    bad = 0
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
                if not line.strip():
                    continue
                g = Golden.model_validate_json(line)
            except (UnicodeDecodeError, ValidationError) as e:
                bad += 1
                why = e.reason if isinstance(e, UnicodeDecodeError) else problems(e, most=3)
                print(f"{path}:{n}: skipped, not a question line ({why})", file=sys.stderr)
                continue
            a = engine.ask(g.question, g.history)
            print(json.dumps({"id": g.id, **json.loads(a.model_dump_json())}, ensure_ascii=False), flush=True)
    if bad:
        print(f"{path}: {bad} bad line(s) skipped", file=sys.stderr)
    return 1 if bad else 0


def _stdin_lines():
    """Lines of stdin decoded one by one: an invalid byte spoils that line only, whatever the
    terminal's encoding settings (a strict UTF-8 stdin raised on the first bad byte)."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text-only stream (tests, embedding): already decoded
        yield from sys.stdin
        return
    for raw in buffer:
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield None


def cmd_chat(args) -> int:
    from assistant.text import add_turn

    engine = _engine(args)
    history: list[str] = []
    print("妇儿规划问答助手。输入问题，空行或 Ctrl-D 退出；输入“新对话”清空上下文。", flush=True)
    for line in _stdin_lines():
        if line is None:
            print("这一行不是有效的 UTF-8 文本，已跳过。请重新输入。", flush=True)
            continue
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
        print(flush=True)
        history = add_turn(history, q, a.intent)
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


def cmd_feedback(args) -> int:
    from assistant.feedback import FeedbackStore, default_path, write_review

    path = Path(args.feedback) if args.feedback else default_path(_settings(args))
    if not path.exists():
        print(f"no feedback file at {path} (choose one with --feedback or PLANQA_FEEDBACK)", file=sys.stderr)
        return 2
    votes = FeedbackStore(path).all()
    if args.format == "xlsx":
        if not args.output:
            print("--format xlsx needs --output FILE.xlsx", file=sys.stderr)
            return 2
        write_review(votes, "xlsx", args.output)
        print(f"wrote {len(votes)} votes to {args.output}")
    elif args.output:
        with open(args.output, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens it as UTF-8
            write_review(votes, "csv", f)
        print(f"wrote {len(votes)} votes to {args.output}")
    else:
        write_review(votes, "csv", sys.stdout)
    return 0


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
    ad = command("add", "add plan files (.pdf .docx .html .txt): manifest entry drafted from the text")
    ad.add_argument("files", nargs="+")
    ad.add_argument("--doc-id", help="id for the plan (lower-case letters, digits, _)")
    ad.add_argument("--dry-run", action="store_true", help="read and report only; write nothing")
    ad.add_argument("--json", action="store_true")
    ad.add_argument("--set", action="append", metavar="FIELD=VALUE", help="correct a drafted field; repeat")
    ad.set_defaults(fn=cmd_add)
    ow = command("owners", "owners from a 任务分工方案 table")
    owsub = ow.add_subparsers(dest="owners_cmd", required=True)
    owa = owsub.add_parser("add", parents=[common], help="read a task table (.xlsx .docx .csv) and match its rows")
    owa.add_argument("file")
    owa.add_argument("--doc-id", required=True)
    owa.add_argument("--dry-run", action="store_true")
    owa.set_defaults(fn=cmd_owners_add)
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
    f = command("feedback", "export the app's thumbs up/down with question, history, answer, citations and comment")
    f.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    f.add_argument("--output", help="file for xlsx (csv: else stdout)")
    f.add_argument("--feedback", help="feedback SQLite file (default: PLANQA_FEEDBACK or data/feedback.sqlite)")
    f.set_defaults(fn=cmd_feedback)
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
    except (OSError, ValueError) as e:  # missing or unreadable files, bad manifests, a full disk
        print(f"error: {e}", file=sys.stderr)
        return 2
