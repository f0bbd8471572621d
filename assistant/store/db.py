"""The clause and target tables in one SQLite file under the index folder.

Built on first use, rebuilt when the corpus/lexicon/parser fingerprint changes or the file
fails its integrity check, and always written to a temp file first, then renamed."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
from pathlib import Path

from assistant.ingest import Ingested, fingerprint, ingest
from assistant.ingest.corpus import CorpusError
from assistant.models import Clause, DocMeta, Target

log = logging.getLogger(__name__)
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (doc_id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE clauses (
    clause_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL,
    population TEXT, domain_key TEXT, section TEXT, json TEXT NOT NULL);
CREATE TABLE targets (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, clause_id TEXT NOT NULL,
    indicator_key TEXT, year INTEGER, kind TEXT, json TEXT NOT NULL);
CREATE TABLE errors (file TEXT, problem TEXT);
CREATE INDEX targets_doc ON targets(doc_id, indicator_key);
"""


def _write(path: Path, data: Ingested) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".plans-", suffix=".sqlite", dir=path.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        with con:
            con.executescript(SCHEMA)
            con.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (data.fingerprint,))
            con.executemany("INSERT INTO docs VALUES (?, ?)", [(d.doc_id, d.model_dump_json()) for d in data.docs])
            con.executemany(
                "INSERT INTO clauses VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(c.clause_id, c.doc_id, c.order, c.population, c.domain_key, c.section, c.model_dump_json())
                 for c in data.clauses],
            )
            con.executemany(
                "INSERT INTO targets (doc_id, clause_id, indicator_key, year, kind, json) VALUES (?, ?, ?, ?, ?, ?)",
                [(t.doc_id, t.clause_id, t.indicator_key, t.year, t.kind, t.model_dump_json()) for t in data.targets],
            )
            con.executemany("INSERT INTO errors VALUES (?, ?)", [(e.file, e.problem) for e in data.errors])
        con.close()
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _read(path: Path, expect: str) -> Ingested | None:
    """The stored tables, or None when missing, stale or damaged."""
    if not path.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            row = con.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
            if row is None or row[0] != expect:
                log.info("tables in %s are stale (corpus, lexicon or parser changed); rebuilding", path)
                return None
            docs = [DocMeta.model_validate_json(r[0]) for r in con.execute("SELECT json FROM docs ORDER BY rowid")]
            clauses = [Clause.model_validate_json(r[0]) for r in con.execute("SELECT json FROM clauses ORDER BY rowid")]
            targets = [Target.model_validate_json(r[0]) for r in con.execute("SELECT json FROM targets ORDER BY id")]
            errors = [CorpusError(f, p) for f, p in con.execute("SELECT file, problem FROM errors")]
        finally:
            con.close()
    except (sqlite3.DatabaseError, ValueError) as e:
        log.warning("tables in %s are damaged (%s); rebuilding", path, e)
        return None
    return Ingested(docs, clauses, targets, errors, expect)


def load_tables(corpus_dir: Path, db_path: Path) -> Ingested:
    """Stored tables if current, else parse the corpus and store them."""
    expect = fingerprint(corpus_dir)
    data = _read(Path(db_path), expect)
    if data is None:
        data = ingest(corpus_dir)
        try:
            _write(Path(db_path), data)
        except (OSError, sqlite3.Error) as e:  # read-only index folder, disk full: serve this build anyway
            log.warning("cannot store the tables in %s (index folder %s not writable: %s); serving this build "
                        "from memory, rebuilt on every start until the folder is writable",
                        db_path, Path(db_path).parent, e)
    for e in data.errors:
        log.warning("corpus: %s", e)
    return data


def dump_rows(rows: list[Target]) -> list[dict]:
    return [json.loads(r.model_dump_json()) for r in rows]
