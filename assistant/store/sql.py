"""Tables, builds and feedback through SQLAlchemy Core: one schema for SQLite and PostgreSQL.

    store = SqlStore("postgresql+psycopg://planqa@db.example/planqa")   # or sqlite:///path/file.sqlite
    bid = store.begin_build(fingerprint, collection)      # a new build id, status 'building'
    store.write_tables(bid, data)                          # one transaction: docs, clauses, targets, errors
    store.activate(bid)                                    # readers switch here, and only here
    store.current()                                        # the build readers use (None before the first)

Readers never see a half-built index: every row carries its build id, and the ``planqa_current`` row
names the build to read; it is switched in one short transaction at the very end of a build, so a
build killed at any point leaves the previous one serving. Older builds are pruned after a switch,
keeping ``KEEP_BUILDS`` so a replica still reading the previous one finishes its work.

Connections come from a pool with ``pool_pre_ping``, and every operation retries a dropped connection
(``RETRY_S``), so a replica keeps answering across a database restart. Votes carry a client-made
``vote_id`` with a unique constraint: a retry after a lost acknowledgement never stores a vote twice.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from itertools import islice
from typing import Any, Callable, Iterable, Iterator, Mapping, TypeVar

from sqlalchemy import (
    Column, Float, Index, Integer, MetaData, String, Table, Text, UniqueConstraint, create_engine, delete, func, insert,
    select, update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, InterfaceError, DBAPIError

from assistant.ingest import Ingested
from assistant.ingest.corpus import CorpusError
from assistant.models import Clause, DocMeta, Target

log = logging.getLogger(__name__)
T = TypeVar("T")

KEEP_BUILDS = 2  # the active build and the one before it: a replica mid-request on the old one still finds it
RETRY_S = 60.0  # how long an operation retries a lost connection: covers a database restart (a few seconds)
RETRY_SLEEP_S = 0.5  # pause between reconnect attempts
INSERT_CHUNK = 2_000  # rows per executemany: bounded memory for 2,000-plan builds
SQLITE_BUSY_S = 30  # SQLite writers wait this long for a lock instead of failing (same as feedback.py)

meta = MetaData()
builds = Table(
    "planqa_builds", meta,
    Column("build_id", String(40), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("collection", String(128), nullable=False),  # the Milvus collection of this build's clauses
    Column("status", String(16), nullable=False),  # building | ready
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("clause_count", Integer),
)
current = Table(
    "planqa_current", meta,
    Column("name", String(32), primary_key=True),  # always 'index'
    Column("build_id", String(40), nullable=False),
)
docs_t = Table(
    "planqa_docs", meta,
    Column("build_id", String(40), primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("doc_id", String(200), nullable=False),
    Column("json", Text, nullable=False),
)
clauses_t = Table(
    "planqa_clauses", meta,
    Column("build_id", String(40), primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("clause_id", String(400), nullable=False),
    Column("doc_id", String(200), nullable=False),
    Column("population", String(16)),
    Column("domain_key", String(64)),
    Column("section", String(64)),
    Column("json", Text, nullable=False),
    # a replica reads clauses by id and by document (assistant/store/lazy.py), never all of them
    Index("planqa_clauses_id", "build_id", "clause_id"),
    Index("planqa_clauses_doc", "build_id", "doc_id", "ord"),
)
targets_t = Table(
    "planqa_targets", meta,
    Column("build_id", String(40), primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("doc_id", String(200), nullable=False),
    Column("clause_id", String(400), nullable=False),
    Column("indicator_key", String(128)),
    Column("year", Integer),
    Column("kind", String(16)),  # target | achieved | measure | fact: the monitor reads targets and achieved rows only
    Column("value_num", Float),  # set when the row holds a number (the indicators offered for comparison)
    Column("json", Text, nullable=False),
    Index("planqa_targets_doc", "build_id", "doc_id", "ord"),
    Index("planqa_targets_key", "build_id", "indicator_key", "ord"),
    Index("planqa_targets_kind", "build_id", "kind", "ord"),
)
sentences_t = Table(
    "planqa_sentences", meta,  # every sentence's match terms (assistant/store/sentences.py)
    Column("build_id", String(40), primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("clause_ord", Integer, nullable=False),
    Column("doc_id", String(200), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("terms", Text, nullable=False),  # bigrams and "#tokens", space-separated
    Index("planqa_sentences_doc", "build_id", "doc_id", "ord"),
)
# PostgreSQL answers "sentences holding any of these terms" from an inverted (GIN) index; SQLite has no
# arrays, so there the reader filters a document's sentences itself (assistant/store/lazy.py)
Index("planqa_sentences_terms", func.string_to_array(sentences_t.c.terms, " "),
      postgresql_using="gin").ddl_if(dialect="postgresql")
idf_t = Table(
    "planqa_idf", meta,  # how rare each term is among all sentences, counted once at build time
    Column("build_id", String(40), primary_key=True),
    Column("term", Text, primary_key=True),  # a bigram, "#token", or "" / "#" for an unseen one
    Column("weight", Float, nullable=False),
)
errors_t = Table(
    "planqa_errors", meta,
    Column("build_id", String(40), primary_key=True),
    Column("ord", Integer, primary_key=True),
    Column("file", Text),
    Column("problem", Text),
)
feedback_t = Table(
    "planqa_feedback", meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("vote_id", String(64), nullable=False),
    Column("time", String(32), nullable=False),
    Column("question", Text, nullable=False),
    Column("history", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False),
    Column("liked", Integer, nullable=False),
    Column("comment", Text, nullable=False, server_default=""),  # the staff member's note with a dislike
    UniqueConstraint("vote_id", name="planqa_feedback_vote"),
)
BUILD_TABLES = (docs_t, clauses_t, targets_t, errors_t, sentences_t, idf_t)


@dataclass(frozen=True)
class Build:
    build_id: str
    fingerprint: str
    collection: str
    clause_count: int | None


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` as lists of at most ``size``, read one list at a time."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def new_build_id() -> str:
    """Sortable by time, unique across machines; also a valid Milvus collection name suffix."""
    return f"{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}_{uuid.uuid4().hex[:8]}"


def make_engine(url: str) -> Engine:
    kw: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        kw["connect_args"] = {"timeout": SQLITE_BUSY_S}
        db = make_url(url).database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, **kw)


class SqlStore:
    """The shared tables on one database URL (schema created on first use)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._retry(lambda: meta.create_all(self.engine))
        self._retry(self._add_new_columns)

    def _add_new_columns(self) -> None:
        """A database made before a column was added gets it (create_all adds tables, never columns);
        builds written before it read as builds to redo (assistant/store/lazy.py checks)."""
        from sqlalchemy import inspect

        with self.engine.begin() as con:
            for table in BUILD_TABLES:
                have = {c["name"] for c in inspect(con).get_columns(table.name)}
                for col in table.columns:
                    if col.name not in have:
                        con.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN {col.name} '
                                            f'{col.type.compile(dialect=self.engine.dialect)}')

    def close(self) -> None:
        self.engine.dispose()

    # ---- resilience ---------------------------------------------------------------------------
    def _retry(self, fn: Callable[[], T]) -> T:
        """Run ``fn``; on a lost or refused connection wait and retry (the pool is refreshed)."""
        deadline = time.monotonic() + RETRY_S
        while True:
            try:
                return fn()
            except (OperationalError, InterfaceError) as e:
                if time.monotonic() > deadline:
                    raise
                log.warning("database unavailable (%s); retrying", str(e).splitlines()[0])
                self.engine.dispose()
                time.sleep(RETRY_SLEEP_S)
            except DBAPIError as e:
                if not e.connection_invalidated or time.monotonic() > deadline:
                    raise
                time.sleep(RETRY_SLEEP_S)

    # ---- builds -------------------------------------------------------------------------------
    def begin_build(self, fingerprint: str, collection: str, build_id: str | None = None) -> str:
        bid = build_id or new_build_id()

        def run():
            with self.engine.begin() as con:
                con.execute(insert(builds).values(build_id=bid, fingerprint=fingerprint, collection=collection,
                                                  status="building", started_at=_now()))
        self._retry(run)
        return bid

    def write_tables(self, build_id: str, data: Ingested, sentences: Iterable | None = None,
                     weights: Mapping[str, float] | Callable[[], Mapping[str, float]] | None = None) -> None:
        """All rows of one build in one transaction (a killed build leaves none behind), streamed in
        chunks of INSERT_CHUNK rows: no table is ever held whole as rows. ``sentences`` (SentenceTerms,
        any iterable) and ``weights`` (term -> idf) are the sentence index replicas search by; ``weights``
        may be a function, called once every sentence is written (the build counts them as they pass)."""
        rows = {
            docs_t: lambda: ({"build_id": build_id, "ord": i, "doc_id": d.doc_id, "json": d.model_dump_json()}
                             for i, d in enumerate(data.docs)),
            clauses_t: lambda: ({"build_id": build_id, "ord": i, "clause_id": c.clause_id, "doc_id": c.doc_id,
                                 "population": c.population, "domain_key": c.domain_key, "section": c.section,
                                 "json": c.model_dump_json()} for i, c in enumerate(data.clauses)),
            targets_t: lambda: ({"build_id": build_id, "ord": i, "doc_id": t.doc_id, "clause_id": t.clause_id,
                                 "indicator_key": t.indicator_key, "year": t.year, "kind": t.kind,
                                 "value_num": t.value_num, "json": t.model_dump_json()}
                                for i, t in enumerate(data.targets)),
            errors_t: lambda: ({"build_id": build_id, "ord": i, "file": e.file, "problem": e.problem}
                               for i, e in enumerate(data.errors)),
            sentences_t: lambda: ({"build_id": build_id, "ord": i, "clause_ord": r.clause_ord, "doc_id": r.doc_id,
                                   "seq": r.seq, "terms": r.terms()} for i, r in enumerate(sentences or [])),
            # after sentences_t (dicts keep order): a weights function sees every sentence counted
            idf_t: lambda: ({"build_id": build_id, "term": k, "weight": w}
                            for k, w in ((weights() if callable(weights) else weights) or {}).items()),
        }

        def run():
            with self.engine.begin() as con:
                for table, make in rows.items():
                    for chunk in chunks(make(), INSERT_CHUNK):
                        con.execute(insert(table), chunk)
                con.execute(update(builds).where(builds.c.build_id == build_id)
                            .values(clause_count=len(data.clauses)))
        self._retry(run)

    def activate(self, build_id: str) -> list[Build]:
        """Point readers at ``build_id`` (one transaction), then prune; returns the pruned builds."""
        def run():
            with self.engine.begin() as con:
                con.execute(update(builds).where(builds.c.build_id == build_id)
                            .values(status="ready", finished_at=_now()))
                if con.execute(update(current).where(current.c.name == "index").values(build_id=build_id)).rowcount == 0:
                    con.execute(insert(current).values(name="index", build_id=build_id))
        self._retry(run)
        return self.prune()

    def prune(self) -> list[Build]:
        """Drop rows of builds other than the newest KEEP_BUILDS ready ones (and failed, unfinished
        builds older than the active one); returns what was dropped (the caller drops collections)."""
        cur = self.current()

        def run():
            with self.engine.begin() as con:
                ready = [r.build_id for r in con.execute(
                    select(builds.c.build_id).where(builds.c.status == "ready").order_by(builds.c.finished_at.desc(),
                                                                                        builds.c.build_id.desc()))]
                keep = set(ready[:KEEP_BUILDS]) | ({cur.build_id} if cur else set())
                old = [r for r in con.execute(select(builds)) if r.build_id not in keep
                       and (r.status == "ready" or (cur and r.started_at <= self._started(con, cur.build_id)))]
                for r in old:
                    for t in BUILD_TABLES:
                        con.execute(delete(t).where(t.c.build_id == r.build_id))
                    con.execute(delete(builds).where(builds.c.build_id == r.build_id))
                return [Build(r.build_id, r.fingerprint, r.collection, r.clause_count) for r in old]
        return self._retry(run)

    @staticmethod
    def _started(con, build_id: str) -> str:
        return con.execute(select(builds.c.started_at).where(builds.c.build_id == build_id)).scalar_one()

    def current(self) -> Build | None:
        def run():
            with self.engine.connect() as con:
                r = con.execute(select(builds).join(current, current.c.build_id == builds.c.build_id)
                                .where(current.c.name == "index")).first()
            return None if r is None else Build(r.build_id, r.fingerprint, r.collection, r.clause_count)
        return self._retry(run)

    def read(self, build_id: str) -> Ingested:
        def run():
            with self.engine.connect() as con:
                def rows(t, *cols):
                    return con.execute(select(*cols).where(t.c.build_id == build_id).order_by(t.c.ord)).all()
                docs = [DocMeta.model_validate_json(r[0]) for r in rows(docs_t, docs_t.c.json)]
                clauses = [Clause.model_validate_json(r[0]) for r in rows(clauses_t, clauses_t.c.json)]
                targets = [Target.model_validate_json(r[0]) for r in rows(targets_t, targets_t.c.json)]
                errors = [CorpusError(f, p) for f, p in rows(errors_t, errors_t.c.file, errors_t.c.problem)]
                fp = con.execute(select(builds.c.fingerprint).where(builds.c.build_id == build_id)).scalar_one()
            return Ingested(docs, clauses, targets, errors, fp)
        return self._retry(run)

    # ---- feedback -----------------------------------------------------------------------------
    def add_vote(self, row: dict, vote_id: str | None = None) -> int:
        """Store one vote exactly once: retried across reconnects, deduplicated by ``vote_id``."""
        vid = vote_id or uuid.uuid4().hex

        def run():
            try:
                with self.engine.begin() as con:
                    return int(con.execute(insert(feedback_t).values(vote_id=vid, **row)).inserted_primary_key[0])
            except IntegrityError:  # an earlier try committed but its reply was lost
                with self.engine.connect() as con:
                    return int(con.execute(select(feedback_t.c.id).where(feedback_t.c.vote_id == vid)).scalar_one())
        return self._retry(run)

    def comment_vote(self, row_id: int, text: str) -> bool:
        def run():
            with self.engine.begin() as con:
                return con.execute(update(feedback_t).where(feedback_t.c.id == int(row_id)).values(comment=text)).rowcount == 1
        return self._retry(run)

    def remove_vote(self, row_id: int) -> bool:
        def run():
            with self.engine.begin() as con:
                return con.execute(delete(feedback_t).where(feedback_t.c.id == int(row_id))).rowcount == 1
        return self._retry(run)

    def votes(self) -> list[dict]:
        def run():
            with self.engine.connect() as con:
                return [dict(r._mapping) for r in con.execute(select(feedback_t).order_by(feedback_t.c.id))]
        return self._retry(run)

    def vote_count(self) -> int:
        def run():
            with self.engine.connect() as con:
                return int(con.execute(select(func.count()).select_from(feedback_t)).scalar_one())
        return self._retry(run)


def decode_vote(r: dict) -> dict:
    """A stored vote in FeedbackStore.all()'s shape."""
    return {"id": r["id"], "time": r["time"], "question": r["question"], "history": json.loads(r["history"]),
            "answer": r["answer"], "citations": json.loads(r["citations"]), "liked": bool(r["liked"]),
            "comment": r.get("comment") or ""}
