"""The staff app: layout only. Every answer, figure and verdict comes from the engine.

build_app(engine) -> gr.Blocks; launch it with **launch_options() so the theme (system fonts,
nothing fetched from outside) and the card styles apply."""

from __future__ import annotations

import atexit
import html
import hmac
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

from pydantic import BaseModel, Field, StrictBool, ValidationError  # noqa: E402

from assistant.feedback import FeedbackStore, FeedbackUnavailable  # noqa: E402
from assistant.ingest.formats import MAX_FILE_BYTES  # noqa: E402
from assistant.models import Answer, Clause, problems  # noqa: E402
from assistant.sheets import write_xlsx  # noqa: E402
from assistant.store.observations import ObservationStore  # noqa: E402
from assistant.text import MAX_QUESTION_CHARS, add_turn, fmt_number, trim_history  # noqa: E402
from assistant.text import norm  # noqa: E402
from ui.chat import COPY_JS, HEAD_JS, answer_markdown, conversation_turns, highlight, plain_answer, write_conversation  # noqa: E402,F401
from ui.monitor import CSS as MONITOR_CSS  # noqa: E402
from ui.monitor import monitor_tab  # noqa: E402
from ui.intake import intake_tab  # noqa: E402

TITLE = "妇儿规划问答助手"
EXAMPLES = [
    "东城区孕产妇死亡率目标是多少",
    "西城区和东城区的婴儿死亡率目标有什么不同？",
    "北京市规划中妇女与健康领域的主要目标有哪些？",
    "曾都区2030年孕产妇死亡率要控制在多少？",
    "学前教育毛入园率各区分别是多少？",
]
ALL = ""  # the "全部" choice of every filter
FONTS = ["system-ui", "-apple-system", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
         "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif"]
MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
# plain font names only: a gr.themes.GoogleFont would make every browser fetch fonts.googleapis.com
THEME = gr.themes.Default(primary_hue="rose", secondary_hue="sky", neutral_hue="slate", font=FONTS, font_mono=MONO)
CSS = """
.clause-card { border: 1px solid var(--border-color-primary); border-radius: 8px; margin: 6px 0;
  padding: 4px 10px; background: var(--background-fill-secondary); }
.clause-card > summary { cursor: pointer; font-weight: 600; }
.clause-card .clause-meta { color: var(--body-text-color-subdued); font-size: 0.9em; margin: 4px 0; }
.clause-card .clause-text { white-space: pre-wrap; line-height: 1.7; }
.clause-card mark, .clause-view mark { background: #fde68a; color: inherit; padding: 0 1px; }
.plan-outline details { margin-left: 14px; }
.plan-outline > details { margin-left: 0; }
.plan-outline summary { cursor: pointer; }
.plan-outline .clause-text { white-space: pre-wrap; margin: 2px 0 8px 14px; line-height: 1.7; }
.verdict-note { color: var(--body-text-color-subdued); font-size: 0.9em; }
.bar-chart .bar-label { font-size: 13px; }
.cite-link { color: var(--link-text-color, #be123c); text-decoration: none; cursor: pointer; }
.cite-link:hover { text-decoration: underline; }
.clause-card.cite-flash { outline: 2px solid #f59e0b; }
.state-line { color: var(--body-text-color-subdued); font-size: 0.9em; min-height: 1.4em; }
/* narrow screens: tables scroll sideways inside their box instead of wrapping a character a line */
#chatbot .message table { display: block; overflow-x: auto; max-width: 100%; }
#chatbot .message th, #chatbot .message td { min-width: 5em; }
@media (max-width: 640px) {  /* phones: cells keep a readable width; the 原文 column (second) wider still */
  #chatbot .message th, #chatbot .message td { min-width: 7em; }
  #chatbot .message td:nth-child(2) { min-width: 14em; }
}
#targets-table .table-wrap, #compare-table .table-wrap, #alignment-table .table-wrap { overflow-x: auto; }
#compare-table table, #alignment-table table { min-width: 900px; }
.bar-chart svg { width: 100%; max-width: 640px; height: auto; }
/* Gradio titles its toasts with the English level name (Info, Warning, Error) and ignores gr.Info(title=…):
   the word is hidden and a Chinese one shown in its place */
.toast-title { font-size: 0 !important; }
.toast-title::before { font-size: var(--text-md); }
.toast-title.info::before, .toast-title.success::before { content: "提示"; }
.toast-title.warning::before { content: "注意"; }
.toast-title.error::before { content: "错误"; }
.corpus-errors { border: 1px solid #e11d48; border-radius: 8px; padding: 6px 12px; background: #fff1f2; color: #881337; }
"""


# ---- bounds: nothing a client does grows the server without limit ------------------------------
MAX_SESSIONS = 300  # sessions Gradio keeps (~110 KB each, the layout's values): ≤ ~35 MB; oldest evicted
SESSION_TTL_S = 8 * 3600  # a chat's context lives one working day, then a fresh session starts
# uploads are plans (添加规划) and observation tables: as large as the intake accepts, and no larger
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
MAX_UPLOAD = f"{MAX_UPLOAD_BYTES // (1024 * 1024)}mb"
CACHE_SWEEP_S = (3600, 3600)  # Gradio's copies of download files: swept hourly, kept one hour
MAX_EXPORTS = 200  # downloads kept per server: a targets table ~190 KB, a conversation ~40 KB, one per answer;
# 200 let a download outlive many other users' answers for minutes, in ≤ ~40 MB; older ones deleted
EXPORT_MAX_AGE_S = 24 * 3600  # export folders left by earlier runs are removed after a day
MAX_API_TURNS = 2_000  # /ask answers remembered for /feedback (a few KB each: ≤ ~10 MB)
API_TURN_TTL_S = 8 * 3600  # a vote must come within a working day of its answer
MAX_SESSION_TURNS = 50  # answers per chat session that can still be voted on
MAX_CHAT_MESSAGES = 100  # messages a chat shows (and the client sends back on every question)
SHOWN_REFUSED_CHARS = 200  # a refused, overlong question is echoed this far, then cut
MAX_FILE_STEM_CHARS = 60  # a download's name from its filter: long enough for 规划_人群_领域_指标_年份
MAX_COMMENT_CHARS = 2_000  # the note with a dislike (assistant.feedback caps what it stores the same)
# plans whose clause picker and search words the 规划浏览 tab keeps on the shared backend, most recently
# opened first: staff read a few plans at a time, and a plan is ~300 clauses (~0.5 MB of labels and
# normalised text), so 16 keep this under ~10 MB whatever the number of plans. The embedded backend keeps
# every plan, as before (its engine holds them all anyway).
PLAN_CACHE = 16


def launch_options() -> dict[str, Any]:
    """Arguments every launch of the app passes (Gradio 6 takes theme and css at launch), with the
    bounds on sessions and uploads."""
    return {"theme": THEME, "css": CSS + MONITOR_CSS, "head": HEAD_JS, "state_session_capacity": MAX_SESSIONS,
            "max_file_size": MAX_UPLOAD}


class LoginThrottle:
    """Gradio's auth callable: accounts checked in constant time, and after MAX_FAILURES failed
    logins for one name within WINDOW_S that name is locked for LOCKOUT_S (even the right password
    is refused). Unknown names share one bucket, so inventing names does not reset the count.
    Gradio calls this on its event loop, so it refuses instead of sleeping."""

    MAX_FAILURES = 5  # a person mistypes a few times; a guesser needs thousands
    WINDOW_S = 300.0
    LOCKOUT_S = 60.0  # ≤ 5 guesses a minute per name: 200 guesses take 40 minutes, not 0.24 s
    UNKNOWN = "\0unknown"

    def __init__(self, accounts: list[tuple[str, str]], clock=time.monotonic):
        self.accounts = dict(accounts)
        self.clock = clock
        self.failures: dict[str, list[float]] = {}
        self.locked_until: dict[str, float] = {}
        self.checked = 0  # passwords actually compared (tests and logs)
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        name = username if username in self.accounts else self.UNKNOWN
        now = self.clock()
        with self._lock:
            if self.locked_until.get(name, 0.0) > now:
                return False
            self.checked += 1
            ok = name != self.UNKNOWN and hmac.compare_digest(password.encode(), self.accounts[name].encode())
            if ok:
                self.failures.pop(name, None)
                return True
            recent = [t for t in self.failures.get(name, []) if now - t < self.WINDOW_S] + [now]
            self.failures[name] = recent
            if len(recent) >= self.MAX_FAILURES:
                self.locked_until[name] = now + self.LOCKOUT_S
                self.failures[name] = []
            return False


class TurnLog:
    """The server's own answers to /ask, by an unguessable id, so /feedback stores what the server
    said rather than what a client claims; bounded in count and age."""

    def __init__(self, capacity: int = MAX_API_TURNS, ttl_s: float = API_TURN_TTL_S, clock=time.monotonic):
        self.capacity, self.ttl_s, self.clock = capacity, ttl_s, clock
        self._turns: OrderedDict[str, tuple[float, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, turn: dict) -> str:
        turn_id = secrets.token_urlsafe(16)
        with self._lock:
            self._turns[turn_id] = (self.clock(), turn)
            while len(self._turns) > self.capacity:
                self._turns.popitem(last=False)
        return turn_id

    def get(self, turn_id: str) -> dict | None:
        with self._lock:
            hit = self._turns.get(turn_id)
            if hit is None or self.clock() - hit[0] > self.ttl_s:
                self._turns.pop(turn_id, None)
                return None
            return hit[1]

    def __len__(self) -> int:
        return len(self._turns)


class Exports:
    """Target-table downloads: one folder per server, the newest MAX_EXPORTS kept, removed at close;
    folders an earlier run left behind are removed once older than EXPORT_MAX_AGE_S."""

    PREFIX = "planqa-export-"

    def __init__(self, keep: int = MAX_EXPORTS, root: Path | None = None):
        root = Path(root or tempfile.gettempdir())
        for old in root.glob(f"{self.PREFIX}*"):
            try:
                if time.time() - old.stat().st_mtime > EXPORT_MAX_AGE_S:
                    shutil.rmtree(old, ignore_errors=True)
            except OSError:
                pass
        self.dir = Path(tempfile.mkdtemp(prefix=self.PREFIX, dir=root))
        self.keep = keep
        self._lock = threading.Lock()

    def folder(self) -> Path:
        """A fresh folder for one download; the oldest beyond `keep` are removed."""
        with self._lock:
            out = self.dir / datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            out.mkdir(parents=True, exist_ok=True)
            for old in sorted(p for p in self.dir.iterdir() if p.is_dir())[:-self.keep]:
                shutil.rmtree(old, ignore_errors=True)
        return out

    def write(self, df: pd.DataFrame, stem: str = "规划目标") -> tuple[Path, Path]:
        """The targets table as <stem>.csv and <stem>.xlsx (header frozen, columns sized)."""
        out = self.folder()
        csv_path, xlsx_path = out / f"{stem}.csv", out / f"{stem}.xlsx"
        df.to_csv(csv_path, index=False, encoding="utf-8-sig")
        write_xlsx(df.to_dict("records"), list(df.columns), TARGET_XLSX_WIDTHS, xlsx_path, "目标")
        return csv_path, xlsx_path

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class FeedbackRequest(BaseModel):
    """What /feedback accepts: the id /ask returned and a real boolean."""

    turn_id: str = Field(min_length=1, max_length=64)
    liked: StrictBool


_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def literal(text: str) -> str:
    """User text as Markdown that renders exactly as typed: every ASCII punctuation mark is
    backslash-escaped (CommonMark), so no link, image, HTML tag, list or emphasis survives."""
    return _MD_PUNCT.sub(r"\\\1", text).replace("\n", "  \n")


def shown_question(message: str) -> str:
    if len(message) > MAX_QUESTION_CHARS:
        message = f"{message[:SHOWN_REFUSED_CHARS]}…（共 {len(message)} 字，超出上限，未作答）"
    return literal(message)


def corpus_notice(errors) -> str:
    """For staff: which plan files did not load and why (empty when all loaded)."""
    if not errors:
        return ""
    items = "".join(f"<li><code>{html.escape(str(e.file))}</code>：{html.escape(str(e.problem))}</li>" for e in errors)
    return (f'<div class="corpus-errors" role="alert"><b>⚠ 有 {len(errors)} 个规划文件或条目未能载入</b>，'
            f"相关问题无法回答。请管理员修正后重启：<ul>{items}</ul></div>")


def session_after(session: dict | None, chat: list, message: str, ans: Answer) -> tuple[list, dict]:
    """The chat and session after one question: history trimmed (refused or oversized questions never
    enter it), votable turns capped at MAX_SESSION_TURNS, the chat at MAX_CHAT_MESSAGES."""
    session = session or _new_session()
    history = trim_history(session.get("questions"))
    chat = list(chat or []) + [{"role": "user", "content": shown_question(message)},
                               {"role": "assistant", "content": ans.answer}]
    turns = dict(session.get("turns") or {})
    turns[str(len(chat) - 1)] = {
        "question": message[:MAX_QUESTION_CHARS], "history": history, "answer": ans.answer,
        "citations": [c.model_dump() for c in ans.citations],
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    drop = max(0, len(chat) - MAX_CHAT_MESSAGES)
    drop += drop % 2  # whole question/answer pairs
    chat = chat[drop:]
    turns = {str(int(k) - drop): v for k, v in turns.items() if int(k) >= drop}
    turns = dict(sorted(turns.items(), key=lambda kv: int(kv[0]))[-MAX_SESSION_TURNS:])
    return chat, {"questions": add_turn(history, message, ans.intent), "turns": turns}


# ---- rendering helpers (pure: they only format what the engine returned) ------------------------

def clause_view(engine, clause: Clause | None, quotes: list[str] | None = None) -> str:
    if clause is None:
        return '<div class="clause-view"><em>选择一行或一个条款查看原文。</em></div>'
    doc = engine.doc(clause.doc_id)
    path = " › ".join(x for x in (doc.short_name, clause.part, clause.domain, clause.section) if x)
    return (f'<div class="clause-view"><h4>{html.escape(clause.label)}</h4>'
            f'<div class="verdict-note">{html.escape(path)} · {html.escape(doc.titles[0])} · 印发日期 {html.escape(doc.issue_date)}</div>'
            f'<p style="white-space: pre-wrap; line-height: 1.8">{highlight(clause.text, quotes or [])}</p>'
            f'<div class="verdict-note">条款编号：{html.escape(clause.clause_id)}'
            f'{f" · 第 {clause.page} 页" if clause.page else ""}</div></div>')


def _fmt_num(x: float | None) -> str:
    return "" if x is None else fmt_number(x)


COMPARATOR_WORDS = {"<=": "不高于", ">=": "不低于", "<": "低于", ">": "高于", "=": "等于", "≈": "约为",
                    "increase": "提高", "decrease": "降低", "maintain": "保持", "achieve": "达到"}


def _comparator(c: str | None) -> str:
    return COMPARATOR_WORDS.get(c or "", c or "")


def _norm(value: float | None, unit: str | None) -> str:
    """7 and /10万 -> 7/10万, 2 and ‰ -> 2‰: a figure and its unit as the plans write them, unspaced."""
    return f"{_fmt_num(value)}{unit or ''}" if value is not None else ""


TARGET_COLUMNS = ["规划", "人群", "领域", "指标", "要求", "目标值（原文）", "规范值", "年份", "责任主体", "依据", "原文", "条款", "条款编号"]
TARGET_XLSX_WIDTHS = [12, 6, 12, 24, 8, 14, 10, 6, 26, 10, 60, 36, 30]  # characters, in TARGET_COLUMNS order
# on screen, in pixels: Gradio sizes the rows from percentages of the box, so on a phone they shrank
# to a character a line; fixed widths (~1,200 px, a desktop's content width) scroll sideways instead
TARGET_COLUMN_WIDTHS = ["76px", "46px", "76px", "120px", "50px", "86px", "76px", "46px", "116px", "66px", "220px", "150px", "82px"]
# where a 责任主体 comes from (assistant/ingest/owners.py): named in the clause, a 任务分工方案, or the
# plan's general rule that every member unit carries out its part
OWNER_SOURCE_WORDS = {"text": "原文写明", "assignment": "分工方案", "plan": "规划总则"}
_FILE_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def export_stem(*parts: str) -> str:
    """东城区_健康_规划目标: the filter's words, then what the file holds, safe as a file name."""
    words = [_FILE_UNSAFE.sub("", p) for p in parts if p]
    stem = "_".join(w for w in words if w and w not in (".", ".."))
    return (stem[:MAX_FILE_STEM_CHARS] + "_" if stem else "") + "规划目标"


def targets_frame(engine, rows) -> pd.DataFrame:
    data = []
    for t in rows:
        c = engine.clause(t.clause_id)
        data.append([engine.doc(t.doc_id).short_name, t.population, t.domain or "", t.indicator, _comparator(t.comparator),
                     t.value or "", _norm(t.norm_value, t.norm_unit), str(t.year or ""), t.owner or "",
                     OWNER_SOURCE_WORDS.get(t.owner_source or "", "") if t.owner else "", t.quote, c.label if c else "", t.clause_id])
    return pd.DataFrame(data, columns=TARGET_COLUMNS)


COMPARE_COLUMNS = ["规划", "地区", "目标值（原文）", "要求", "规范值", "年份", "结论", "条款", "原文"]


def compare_frame(table) -> pd.DataFrame:
    return pd.DataFrame(
        [[r.plan, r.region, r.value or "—", _comparator(r.comparator), _norm(r.norm_value, r.norm_unit),
          str(r.year or ""), r.verdict, r.label or "", r.quote or ""] for r in table.rows],
        columns=COMPARE_COLUMNS)


def bar_chart_html(table) -> str:
    """Plain SVG bars of the normalised values that share the reference plan's unit."""
    rows = [r for r in table.rows if r.norm_value is not None]
    ref = next((r for r in rows if r.doc_id == table.reference_doc), None)
    unit = ref.norm_unit if ref else (rows[0].norm_unit if rows else None)
    rows = [r for r in rows if r.norm_unit == unit]
    if not rows:
        return '<div class="verdict-note">没有可比较的量化目标。</div>'
    top = max(r.norm_value for r in rows) or 1.0
    bar_h, gap, label_w, width = 26, 10, 120, 640
    plot_w = width - label_w - 90
    colors = {"参照": "#64748b", "相同": "#0ea5e9", "更严": "#16a34a", "更宽": "#e11d48", "无量化目标": "#a3a3a3", "未涉及": "#a3a3a3"}
    parts = []
    for i, r in enumerate(rows):
        y = i * (bar_h + gap)
        w = max(2.0, plot_w * r.norm_value / top)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h * 0.7}" text-anchor="end" class="bar-label" fill="currentColor">{html.escape(r.plan)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="3" fill="{colors.get(r.verdict, "#0ea5e9")}">'
            f'<title>{html.escape(r.plan)}：{html.escape(r.value or "")}（{html.escape(r.verdict)}）</title></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.7}" class="bar-label" fill="currentColor">{_fmt_num(r.norm_value)} {html.escape(r.verdict)}</text>')
    height = len(rows) * (bar_h + gap)
    legend = "；".join(f'<span style="color:{c}">■</span> {v}' for v, c in colors.items() if v not in ("未涉及",))
    return (f'<div class="bar-chart"><div><b>{html.escape(table.indicator_key)}</b>（规范单位：{html.escape(unit or "")}）</div>'
            f'<svg role="img" aria-label="{html.escape(table.indicator_key)} 对比图" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">'
            + "".join(parts) + f'</svg><div class="verdict-note">{legend}</div></div>')


def alignment_frame(rows: list[dict], city_name: str) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=["指标", city_name])
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in ("indicator_key", "city") and k not in cols:
                cols.append(k)
    return pd.DataFrame([[r["indicator_key"], r.get("city", "")] + [r.get(c, "") for c in cols] for r in rows],
                        columns=["指标", city_name] + cols)


LEADING_NO = re.compile(r"^\s*[（(]?[0-9一二三四五六七八九十]+[)）.、．]\s*")


def doc_clauses(engine, doc_id: str) -> list[Clause]:
    """One plan's clauses in reading order: on the shared backend one indexed query (through the
    engine's bounded caches), never a walk over every plan's clauses."""
    if engine.shared:
        clauses = engine.ctx.clauses_of.get(doc_id, [])
    else:
        clauses = [c for c in engine.clauses if c.doc_id == doc_id]
    return sorted(clauses, key=lambda c: c.order)


class PlanPages:
    """The 规划浏览 tab's per-plan data: the clause picker's (label, id) choices and each clause's
    search words (what 在条款原文中查找 matches), built when a plan is opened and kept for the
    `size` plans opened last (keyed by build too: a replica that switched builds reads afresh)."""

    def __init__(self, engine, size: int):
        self.engine = engine
        self.size = max(1, size)
        self._pages: OrderedDict[tuple, tuple[list[tuple[str, str]], dict[str, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, doc_id: str | None, clauses: list[Clause] | None = None) -> tuple[list[tuple[str, str]], dict[str, str]]:
        if not doc_id:
            return [], {}
        key = (self.engine.build_id, doc_id)
        with self._lock:
            if key in self._pages:
                self._pages.move_to_end(key)
                return self._pages[key]
        clauses = doc_clauses(self.engine, doc_id) if clauses is None else clauses
        page = ([(c.label, c.clause_id) for c in clauses], {c.clause_id: norm(c.label + c.text) for c in clauses})
        with self._lock:
            self._pages[key] = page
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
        return page


def plan_outline(engine, doc_id: str, clauses: list[Clause] | None = None) -> str:
    """plan → part → domain → section → clauses, as nested <details>. `clauses`: the plan's clauses
    in order, when the caller has read them (doc_clauses)."""
    clauses = doc_clauses(engine, doc_id) if clauses is None else clauses
    tree: dict[str, dict[str, dict[str, list[Clause]]]] = {}
    for c in clauses:
        tree.setdefault(c.part, {}).setdefault(c.domain or "（总体）", {}).setdefault(c.section, []).append(c)
    doc = engine.doc(doc_id)
    out = [f'<div class="plan-outline"><h3>{html.escape("；".join(doc.titles))}</h3>'
           f'<div class="verdict-note">{html.escape(doc.issuer)} · 印发日期 {html.escape(doc.issue_date)}'
           f'{" · " + html.escape(doc.doc_number) if doc.doc_number else ""} · 规划期 {doc.period_start}—{doc.period_end} · 共 {len(clauses)} 条</div>']
    for part, domains in tree.items():
        n = sum(len(x) for d in domains.values() for x in d.values())
        out.append(f"<details open><summary><b>{html.escape(part)}</b>（{n}）</summary>")
        for domain, sections in domains.items():
            n = sum(len(x) for x in sections.values())
            out.append(f"<details><summary>{html.escape(domain)}（{n}）</summary>")
            for section, items in sections.items():
                out.append(f"<details><summary>{html.escape(section)}（{len(items)}）</summary>")
                for c in items:
                    head = c.title or LEADING_NO.sub("", c.text.strip().split("\n")[0])[:40]
                    out.append(f'<details><summary>第{c.clause_no}条 {html.escape(head)}</summary>'
                               f'<div class="clause-text">{html.escape(c.text)}</div></details>')
                out.append("</details>")
            out.append("</details>")
        out.append("</details>")
    out.append("</div>")
    return "".join(out)


# ---- the app ---------------------------------------------------------------------------------

def _new_session() -> dict:
    return {"questions": [], "turns": {}}


def build_app(engine, feedback: FeedbackStore | None = None, observations: ObservationStore | None = None) -> gr.Blocks:
    feedback = feedback or FeedbackStore()
    exports = Exports()
    atexit.register(exports.close)
    api_turns = TurnLog()

    plans = [d for d in engine.docs]
    plan_choices = [("全部规划", ALL)] + [(d.short_name, d.doc_id) for d in plans]
    keys = engine.indicator_keys()
    if engine.shared:  # the filters' choices from distinct-value queries: no clause or target is read
        reader = engine.ctx.reader
        populations = reader.clause_values("population")
        domains = reader.clause_values("domain_key")
        years = [y for y in reader.target_years("target") if y]
    else:
        populations = sorted({c.population for c in engine.clauses if c.population})
        domains = sorted({c.domain_key for c in engine.clauses if c.domain_key})
        years = sorted({t.year for t in engine.targets() if t.year})
    # one plan's clause picker and search words, read when the plan is opened
    pages = PlanPages(engine, PLAN_CACHE if engine.shared else len(plans))
    try:
        from assistant.compare import reference_doc
        ref = reference_doc(engine.docs)
        city_name = ref.short_name if ref else "参照规划"
    except Exception:  # noqa: BLE001 - the label only
        city_name = "参照规划"
    alignment = alignment_frame(engine.alignment(), city_name)

    # -- 问答 --
    def respond(message: str, chat: list, session: dict):
        message = (message if isinstance(message, str) else "").strip()
        if not message:
            gr.Warning("请先输入问题。", title="提示")
            return chat, session or _new_session(), ""
        ans = engine.ask(message, trim_history((session or {}).get("questions")))
        chat, session = session_after(session, chat if isinstance(chat, list) else [], message, ans)
        chat[-1] = {"role": "assistant", "content": answer_markdown(engine, ans)}
        return chat, session, ""

    def busy():
        return gr.update(interactive=False, value="回答中…"), gr.update(interactive=False)

    def idle():
        return gr.update(interactive=True, value="提问"), gr.update(interactive=True)

    def after_answer(session: dict):
        """What the chat shows around the answers: the state a follow-up refers to, the latest answer
        as plain text for 复制答案, and the conversation as Markdown and Word downloads."""
        turns = conversation_turns(session)
        if not turns:
            return "", "", gr.update(value=None, interactive=False), gr.update(value=None, interactive=False)
        last = turns[-1]
        md, docx = write_conversation(turns, exports.folder())
        return (engine.state_line(trim_history((session or {}).get("questions"))),
                plain_answer(last["answer"], last["citations"]),
                gr.update(value=str(md), interactive=True), gr.update(value=str(docx), interactive=True))

    def new_chat():
        """Every way of clearing (新对话, the chat's trash icon) starts a new conversation state."""
        return ([], _new_session(), "", "", "", gr.update(value=None, interactive=False),
                gr.update(value=None, interactive=False), gr.update(visible=False), "")

    def on_like(session: dict, data: gr.LikeData):
        """A thumb stores a vote; the other thumb replaces it; clicking the same thumb again takes it
        back. A dislike opens the comment box."""
        session = session or _new_session()
        idx = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = session.get("turns", {}).get(str(idx))
        if turn is None or data.liked not in (True, False, ""):
            return session, gr.update()
        try:
            if turn.get("vote"):
                feedback.remove(turn["vote"])
                turn["vote"] = None
            if data.liked == "":
                session["comment_for"] = None
                gr.Info("已撤回反馈。", title="提示")
                return session, gr.update(visible=False)
            turn["vote"] = feedback.add(turn["question"], turn["history"], turn["answer"], turn["citations"],
                                        bool(data.liked))
        except FeedbackUnavailable as e:
            raise gr.Error(f"反馈未能保存：{e}", title="错误") from None
        session["comment_for"] = None if data.liked else turn["vote"]
        gr.Info("已记录反馈，谢谢！" + ("" if data.liked else "可在下方写明哪里不对。"), title="提示")
        return session, gr.update(visible=not data.liked)

    def on_comment(session: dict, text: str):
        row_id = (session or {}).get("comment_for")
        text = (text if isinstance(text, str) else "").strip()
        if not row_id or not text:
            gr.Warning("请先写下意见。" if row_id else "请先点“不满意”再写意见。", title="提示")
            return gr.update(), gr.update()
        try:
            feedback.comment(row_id, text[:MAX_COMMENT_CHARS])
        except FeedbackUnavailable as e:
            raise gr.Error(f"意见未能保存：{e}", title="错误") from None
        gr.Info("已记录意见，谢谢！", title="提示")
        return gr.update(visible=False), ""

    def api_ask(question: str, history: list[str] | None = None) -> dict:
        """The same answer as JSON: answer text, citations, answerable, intent, and turn_id (pass it
        to /feedback). History: earlier questions, oldest first; only the newest few are used."""
        if not isinstance(question, str):
            raise gr.Error(f"question must be a string (got {type(question).__name__}): 问题必须是文字")
        if history is not None and not isinstance(history, list):
            raise gr.Error(f"history must be a list of strings (got {type(history).__name__})")
        history = trim_history(history)
        ans = engine.ask(question, history)
        out = ans.model_dump(mode="json", include={"answer", "answerable", "citations", "intent"})
        out["turn_id"] = api_turns.add({"question": question[:MAX_QUESTION_CHARS], "history": history,
                                        "answer": ans.answer, "citations": out["citations"]})
        return out

    def api_feedback(turn_id: str, liked: bool) -> int:
        """Record a thumbs up/down on an answer from /ask, named by its turn_id; the server stores its
        own question, history, answer and citations for that turn. Returns the stored row id."""
        try:
            req = FeedbackRequest(turn_id=turn_id, liked=liked)
        except ValidationError as e:
            raise gr.Error("feedback needs turn_id (from /ask) and liked true/false: "
                           + problems(e)) from None
        turn = api_turns.get(req.turn_id)
        if turn is None:
            raise gr.Error("unknown or expired turn_id: vote on an answer from /ask within a working day")
        try:
            return feedback.add(turn["question"], turn["history"], turn["answer"], turn["citations"], req.liked)
        except FeedbackUnavailable as e:
            raise gr.Error(f"feedback not stored: {e}") from None

    # -- 目标表 --
    def filter_targets(doc_id, population, domain_key, indicator, year, text):
        rows = engine.targets(doc_id=doc_id or None, indicator=indicator or None, population=population or None,
                              domain_key=domain_key or None, year=int(year) if year else None,
                              text=(text or "").strip() or None)
        df = targets_frame(engine, rows)
        plan_name = next((d.short_name for d in plans if d.doc_id == doc_id), "")
        stem = export_stem(plan_name, population, domain_key, indicator, f"{year}年" if year else "", (text or "").strip())
        csv_path, xlsx_path = exports.write(df, stem)
        return df, f"共 {len(df)} 条目标", str(csv_path), str(xlsx_path)

    def pick_target(evt: gr.SelectData):
        row = evt.row_value or []
        cid = row[-1] if row else None
        quote = row[TARGET_COLUMNS.index("原文")] if len(row) == len(TARGET_COLUMNS) else None
        return clause_view(engine, engine.clause(cid) if cid else None, [quote] if quote else [])

    # -- 对比 --
    def do_compare(indicator, year):
        if not indicator:
            return pd.DataFrame(columns=COMPARE_COLUMNS), "", ""
        table = engine.compare(indicator, int(year) if year else None)
        note = f"指标：{table.indicator_key}；参照：{city_name}。结论：相同 / 更严 / 更宽 指与参照规划的量化目标相比。"
        return compare_frame(table), bar_chart_html(table), note

    def pick_compare(indicator, year, evt: gr.SelectData):
        if not indicator:
            return clause_view(engine, None)
        table = engine.compare(indicator, int(year) if year else None)
        plan = (evt.row_value or [None])[0]
        row = next((r for r in table.rows if r.plan == plan), None)
        if row is None or not row.clause_id:
            return clause_view(engine, None)
        return clause_view(engine, engine.clause(row.clause_id), [row.quote or ""])

    # -- 规划浏览 --
    def show_plan(doc_id):
        if not doc_id:
            return "", gr.update(choices=[], value=None), clause_view(engine, None)
        clauses = doc_clauses(engine, doc_id)
        choices, _ = pages.get(doc_id, clauses)
        return plan_outline(engine, doc_id, clauses), gr.update(choices=choices, value=None), clause_view(engine, None)

    def show_clause(cid):
        return clause_view(engine, engine.clause(cid) if cid else None)

    def find_clauses(doc_id, words):
        """The clause picker narrowed to clauses whose label or text holds the words."""
        words = norm(words or "")
        page, text_of = pages.get(doc_id)
        choices = [(label, cid) for label, cid in page if words in text_of[cid]]
        return gr.update(choices=choices, value=None, label=f"阅读条款（{len(choices)} 条）" if words else "阅读条款")

    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=CACHE_SWEEP_S) as app:
        gr.Markdown(f"## {TITLE}\n只依据收录的妇女儿童发展规划原文作答，每个答案附条款出处。")
        if engine.errors:
            gr.HTML(corpus_notice(engine.errors), elem_id="corpus-errors")
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                session = gr.State(_new_session(), time_to_live=SESSION_TTL_S)
                # no per-message copy button: it copied the cards' raw HTML; 复制答案 copies plain text
                chatbot = gr.Chatbot(label="问答", height=560, elem_id="chatbot", sanitize_html=True, latex_delimiters=[],
                                     buttons=[], placeholder="请输入关于规划目标、措施、对比的问题。")
                state_line = gr.Markdown("", elem_id="state-line", elem_classes=["state-line"])
                with gr.Row():
                    box = gr.Textbox(placeholder="例如：东城区孕产妇死亡率目标是多少", show_label=False, scale=8,
                                     max_length=MAX_QUESTION_CHARS,
                                     elem_id="question", submit_btn=False, lines=1, max_lines=4)
                    send = gr.Button("提问", variant="primary", scale=1, elem_id="ask")
                    clear = gr.Button("新对话", scale=1, elem_id="new-chat")
                with gr.Row(visible=False, elem_id="comment-row") as comment_row:
                    comment = gr.Textbox(placeholder="哪里不对？例如：引用的条款不相关、数字有误（可选）", show_label=False,
                                         scale=8, max_length=MAX_COMMENT_CHARS, elem_id="comment", lines=1, max_lines=4)
                    comment_send = gr.Button("提交意见", scale=1, elem_id="comment-send")
                with gr.Row():
                    copy_btn = gr.Button("复制答案", size="sm", elem_id="copy-answer")
                    dl_md = gr.DownloadButton("下载对话（Markdown）", size="sm", interactive=False, elem_id="download-md")
                    dl_docx = gr.DownloadButton("下载对话（Word）", size="sm", interactive=False, elem_id="download-docx")
                plain = gr.Textbox(visible="hidden", elem_id="plain-answer", interactive=False)
                examples = gr.Examples(EXAMPLES, inputs=box, label="示例问题（点击即提问）")
                after = [state_line, plain, dl_md, dl_docx]

                def answer_flow(start, **api):
                    (start.then(respond, [box, chatbot, session], [chatbot, session, box], **api)
                     .then(after_answer, [session], after, api_visibility="private")
                     .then(idle, None, [send, box], api_visibility="private"))

                answer_flow(gr.on([box.submit, send.click], busy, None, [send, box], api_visibility="private"),
                            api_name="chat")
                answer_flow(examples.load_input_event.then(busy, None, [send, box], api_visibility="private"),
                            api_visibility="private")
                resets = [chatbot, session, box, *after, comment_row, comment]
                clear.click(new_chat, None, resets, api_visibility="private")
                chatbot.clear(new_chat, None, resets, api_visibility="private")
                chatbot.like(on_like, [session], [session, comment_row], api_visibility="private")
                comment_send.click(on_comment, [session, comment], [comment_row, comment], api_visibility="private")
                comment.submit(on_comment, [session, comment], [comment_row, comment], api_visibility="private")
                copy_btn.click(None, None, None, js=COPY_JS, api_visibility="private")
                gr.api(api_ask, api_name="ask")
                gr.api(api_feedback, api_name="feedback")

            with gr.Tab("目标表", id="targets"):
                with gr.Row():
                    # on the shared backend the table opens on the first plan, as the 监测 tab does: 全部规划 reads
                    # and exports every plan's targets, which each page load would do (1.1 GB and ~2 min at 500 plans)
                    f_plan = gr.Dropdown(plan_choices, value=plans[0].doc_id if engine.shared and plans else ALL,
                                         label="规划", elem_id="targets-plan")
                    f_pop = gr.Dropdown([("全部", ALL)] + populations, value=ALL, label="人群")
                    f_domain = gr.Dropdown([("全部", ALL)] + domains, value=ALL, label="领域")
                    f_ind = gr.Dropdown([("全部", ALL)] + keys, value=ALL, label="指标", allow_custom_value=True)
                    f_year = gr.Dropdown([("全部", ALL)] + [str(y) for y in years], value=ALL, label="年份")
                with gr.Row():
                    f_text = gr.Textbox(label="全文筛选", placeholder="在指标和原文中查找，如：母乳喂养", scale=4)
                    count = gr.Markdown()
                    dl_csv = gr.DownloadButton("下载 CSV", scale=1)
                    dl_xlsx = gr.DownloadButton("下载 Excel", scale=1)
                table = gr.Dataframe(headers=TARGET_COLUMNS, interactive=False, wrap=True, max_height=520,
                                     elem_id="targets-table", column_widths=TARGET_COLUMN_WIDTHS)
                target_clause = gr.HTML(clause_view(engine, None))
                filters = [f_plan, f_pop, f_domain, f_ind, f_year, f_text]
                for comp in filters[:-1]:
                    comp.change(filter_targets, filters, [table, count, dl_csv, dl_xlsx], api_visibility="private")
                f_text.submit(filter_targets, filters, [table, count, dl_csv, dl_xlsx], api_visibility="private")
                f_text.blur(filter_targets, filters, [table, count, dl_csv, dl_xlsx], api_visibility="private")
                table.select(pick_target, None, target_clause, api_visibility="private")
                app.load(filter_targets, filters, [table, count, dl_csv, dl_xlsx], api_visibility="private")

            with gr.Tab("对比", id="compare"):
                with gr.Row():
                    c_ind = gr.Dropdown(keys, value=None, label="指标", allow_custom_value=True, elem_id="compare-indicator", scale=3)
                    c_year = gr.Dropdown([("规划期末", ALL)] + [str(y) for y in years], value=ALL, label="年份", scale=1)
                c_note = gr.Markdown()
                c_table = gr.Dataframe(headers=COMPARE_COLUMNS, interactive=False, wrap=True, elem_id="compare-table")
                c_chart = gr.HTML()
                c_clause = gr.HTML()
                gr.Markdown(f"### 对标：区级规划对照{city_name}\n每个{city_name}量化目标，各区规划是相同、更严、更宽，还是没有量化目标。")
                gr.Dataframe(alignment, interactive=False, wrap=True, elem_id="alignment-table", max_height=600)
                c_ind.change(do_compare, [c_ind, c_year], [c_table, c_chart, c_note], api_name="compare")
                c_year.change(do_compare, [c_ind, c_year], [c_table, c_chart, c_note], api_visibility="private")
                c_table.select(pick_compare, [c_ind, c_year], c_clause, api_visibility="private")

            with gr.Tab("规划浏览", id="plans"):
                with gr.Row():
                    b_plan = gr.Dropdown([(d.short_name, d.doc_id) for d in plans], value=plans[0].doc_id if plans else None,
                                         label="规划", scale=1)
                    b_find = gr.Textbox(label="在条款原文中查找", placeholder="如：母乳喂养", scale=1, elem_id="plan-find")
                    b_clause = gr.Dropdown([], label="阅读条款", scale=2, elem_id="plan-clause")
                with gr.Row():
                    with gr.Column(scale=3):
                        b_outline = gr.HTML()
                    with gr.Column(scale=2):
                        b_view = gr.HTML(clause_view(engine, None))
                b_plan.change(show_plan, b_plan, [b_outline, b_clause, b_view], api_visibility="private").then(
                    find_clauses, [b_plan, b_find], b_clause, api_visibility="private")
                b_clause.change(show_clause, b_clause, b_view, api_visibility="private")
                b_find.change(find_clauses, [b_plan, b_find], b_clause, api_visibility="private")
                app.load(show_plan, b_plan, [b_outline, b_clause, b_view], api_visibility="private")

            with gr.Tab("监测", id="monitor"):
                monitor_tab(app, engine, observations, exports.folder, plans)
            with gr.Tab("添加规划", id="intake"):
                intake_tab(engine)
    app.exports = exports  # for tests and for close()
    app.api_turns = api_turns
    app.plan_pages = pages
    return app
