"""Thumbs up/down on answers, kept in a small SQLite table.

WAL mode and a busy timeout let several app workers write at once without losing a record;
every add is its own short transaction on its own connection. No gradio here: the ui calls in.
Each vote is validated and capped (FeedbackRecord) before it is written, so no client can grow
the file by megabytes a call; a damaged file is set aside with a warning, never written into."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictBool

from assistant.config import Settings
from assistant.models import Citation, citation_lines
from assistant.sheets import spreadsheet_safe, write_xlsx
from assistant.text import MAX_HISTORY_ENTRY_CHARS, MAX_HISTORY_TURNS, MAX_QUESTION_CHARS

log = logging.getLogger(__name__)
ENV_PATH = "PLANQA_FEEDBACK"
BUSY_TIMEOUT_S = 30.0
MAX_ANSWER_CHARS = 50_000  # the longest answer (a whole plan's target list) is ~8,000 characters
MAX_CITATIONS = 60  # a target list cites one clause per target; plans hold < 60 per domain
MAX_QUOTE_CHARS = 5_000  # a quote is a clause or part of one; the longest clause is ~1,500 characters
MAX_COMMENT_CHARS = 2_000  # a note on what was wrong: a few sentences; longer is pasted text
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    liked INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
"""
COLUMNS = "id, time, question, history, answer, citations, liked, comment"


class StoredCitation(Citation):
    quote: str = Field(max_length=MAX_QUOTE_CHARS)


class FeedbackRecord(BaseModel):
    """One vote as stored: every field typed and capped (a ValidationError is a ValueError)."""

    question: str = Field(max_length=MAX_QUESTION_CHARS)
    history: list[Annotated[str, Field(max_length=MAX_HISTORY_ENTRY_CHARS)]] = Field(default=[], max_length=MAX_HISTORY_TURNS)
    answer: str = Field(max_length=MAX_ANSWER_CHARS)
    citations: list[StoredCitation] = Field(default=[], max_length=MAX_CITATIONS)
    liked: StrictBool


def default_path(settings: Settings | None = None) -> Path:
    """PLANQA_FEEDBACK if set, else feedback.sqlite in the data folder (never the index folder,
    which is read-only at serving time)."""
    if os.environ.get(ENV_PATH):
        return Path(os.environ[ENV_PATH])
    return (settings or Settings.load()).data_dir / "feedback.sqlite"


class FeedbackUnavailable(RuntimeError):
    """The feedback file cannot be written; the message says which file and why."""


def _plain(value: Any) -> Any:
    """Pydantic models (Citation) and lists of them as JSON-ready dicts."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class FeedbackStore:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._init_lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._init_lock:
                self._set_aside_if_damaged()
                con = self._connect()
                try:
                    con.execute("PRAGMA journal_mode=WAL")
                    con.executescript(SCHEMA)
                    have = {r[1] for r in con.execute("PRAGMA table_info(feedback)")}
                    if "comment" not in have:  # a file from before comments: add the column, keep the votes
                        con.execute("ALTER TABLE feedback ADD COLUMN comment TEXT NOT NULL DEFAULT ''")
                finally:
                    con.close()
        except (OSError, sqlite3.Error) as e:
            raise FeedbackUnavailable(
                f"cannot write the feedback file {self.path} ({e}); its folder {self.path.parent} must be "
                f"writable: choose another file with --feedback or {ENV_PATH}") from None

    def _set_aside_if_damaged(self) -> None:
        """A feedback file that fails its check is renamed (kept for recovery) and a fresh one started."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                ok = con.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            finally:
                con.close()
        except sqlite3.DatabaseError as e:
            ok, why = False, str(e)
        else:
            why = "integrity check failed"
        if ok:
            return
        aside = self.path.with_name(f"{self.path.name}.damaged-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}")
        log.warning("feedback file %s is damaged (%s); moved to %s and a new one started", self.path, why, aside)
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        return con

    def add(self, question: str, history: list[str] | None, answer: str, citations: list | None,
            liked: bool) -> int:
        """Store one vote; returns its row id. Retries on a locked database rather than drop it.
        ValueError when a field has the wrong type or is over its cap; FeedbackUnavailable when
        the file cannot be written (disk full, read-only)."""
        rec = FeedbackRecord(question=question or "", history=_plain(list(history or [])), answer=answer or "",
                             citations=_plain(list(citations or [])), liked=liked)
        row = (
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            rec.question,
            json.dumps(rec.history, ensure_ascii=False),
            rec.answer,
            json.dumps([c.model_dump(mode="json") for c in rec.citations], ensure_ascii=False),
            1 if rec.liked else 0,
        )
        return int(self._write(
            "INSERT INTO feedback (time, question, history, answer, citations, liked) VALUES (?, ?, ?, ?, ?, ?)",
            row).lastrowid)

    def _write(self, sql: str, params: tuple) -> sqlite3.Cursor:
        """One statement in its own immediate transaction, retried while the database is locked."""
        deadline = time.monotonic() + BUSY_TIMEOUT_S * 2
        while True:
            con = self._connect()
            try:
                con.execute("BEGIN IMMEDIATE")
                cur = con.execute(sql, params)
                con.execute("COMMIT")
                return cur
            except sqlite3.DatabaseError as e:
                if con.in_transaction:
                    try:
                        con.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                    raise FeedbackUnavailable(f"cannot store feedback in {self.path}: {e}") from None
                time.sleep(0.05)
            finally:
                con.close()

    def comment(self, row_id: int, text: str) -> bool:
        """Attach a note to a stored vote (replacing an earlier one); False when no such vote.
        ValueError when the note is not text or is over MAX_COMMENT_CHARS."""
        if not isinstance(text, str) or len(text) > MAX_COMMENT_CHARS:
            raise ValueError(f"a comment is text of at most {MAX_COMMENT_CHARS} characters")
        return self._write("UPDATE feedback SET comment = ? WHERE id = ?", (text.strip(), int(row_id))).rowcount == 1

    def remove(self, row_id: int) -> bool:
        """Take a vote back (the user clicked the same thumb again); False when no such vote."""
        return self._write("DELETE FROM feedback WHERE id = ?", (int(row_id),)).rowcount == 1

    def all(self) -> list[dict]:
        con = self._connect()
        try:
            rows = con.execute(
                f"SELECT {COLUMNS} FROM feedback ORDER BY id").fetchall()
        finally:
            con.close()
        return [
            {"id": i, "time": t, "question": q, "history": json.loads(h), "answer": a,
             "citations": json.loads(c), "liked": bool(lk), "comment": cm}
            for i, t, q, h, a, c, lk, cm in rows
        ]


REVIEW_COLUMNS = ["编号", "时间", "评价", "意见", "问题", "此前的问题", "回答", "出处"]
REVIEW_WIDTHS = [6, 20, 6, 30, 30, 30, 60, 60]  # characters per column of the Excel sheet, in REVIEW_COLUMNS order


def review_rows(votes: list[dict]) -> list[dict]:
    """Stored votes as rows for the team to review: one line per earlier question, one
    「quote」〔label〕 line per cited clause."""
    return [{"编号": v["id"], "时间": v["time"], "评价": "赞" if v["liked"] else "踩", "意见": v.get("comment", ""),
             "问题": v["question"], "此前的问题": "\n".join(v["history"]), "回答": v["answer"],
             "出处": "\n".join(citation_lines(v["citations"]))} for v in votes]


def write_review(votes: list[dict], fmt: str, out) -> None:
    """Votes for review as csv (to the text stream `out`) or xlsx (to the path `out`)."""
    import csv

    rows = review_rows(votes)
    if fmt == "xlsx":
        write_xlsx(rows, REVIEW_COLUMNS, REVIEW_WIDTHS, out, "反馈")
        return
    w = csv.DictWriter(out, fieldnames=REVIEW_COLUMNS)
    w.writeheader()
    w.writerows(spreadsheet_safe(rows))

def vote_row(question: str, history: list[str] | None, answer: str, citations: list | None, liked: bool) -> dict:
    """One vote as stored in the shared database's planqa_feedback table."""
    return {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "question": question or "",
        "history": json.dumps(_plain(list(history or [])), ensure_ascii=False),
        "answer": answer or "",
        "citations": json.dumps(_plain(list(citations or [])), ensure_ascii=False),
        "liked": 1 if liked else 0,
    }


class SqlFeedbackStore:
    """Votes in the shared database (PLANQA_DATABASE_URL, e.g. PostgreSQL): the same add/all as
    FeedbackStore, for several app replicas. Each vote is stored exactly once: it carries a vote id,
    and a retry across a lost connection finds the row it already wrote."""

    def __init__(self, url: str):
        from assistant.store.sql import SqlStore

        self.url = url
        self.sql = SqlStore(url)

    def add(self, question: str, history: list[str] | None, answer: str, citations: list | None,
            liked: bool, vote_id: str | None = None) -> int:
        return self.sql.add_vote(vote_row(question, history, answer, citations, liked), vote_id)

    def comment(self, row_id: int, text: str) -> bool:
        """As FeedbackStore.comment: a note attached to a stored vote."""
        if not isinstance(text, str) or len(text) > MAX_COMMENT_CHARS:
            raise ValueError(f"a comment is text of at most {MAX_COMMENT_CHARS} characters")
        return self.sql.comment_vote(row_id, text.strip())

    def remove(self, row_id: int) -> bool:
        """As FeedbackStore.remove: a vote taken back."""
        return self.sql.remove_vote(row_id)

    def all(self) -> list[dict]:
        from assistant.store.sql import decode_vote

        return [decode_vote(r) for r in self.sql.votes()]


def open_feedback(settings: Settings | None = None, path: str | Path | None = None):
    """The shared database when PLANQA_DATABASE_URL is set (and no file is named), else the SQLite file."""
    settings = settings or Settings.load()
    if settings.database_url and path is None:
        return SqlFeedbackStore(settings.database_url)
    return FeedbackStore(path or default_path(settings))
