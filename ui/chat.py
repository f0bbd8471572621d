"""How one chat answer is shown, copied and exported. Pure formatting of what the engine returned:
clause cards (one per clause, the first open), inline 〔labels〕 that open their card, the plain text
staff paste into reports, and the whole conversation as Markdown or Word."""

from __future__ import annotations

import html
import re
import secrets
from datetime import datetime
from pathlib import Path

from assistant.models import Answer, Citation, citation_lines, group_citations
from assistant.text import NormMap, norm

CARD_ID_BYTES = 4  # card ids only need to be unique within one page: 8 hex digits
CITATIONS_HEAD = "出处："

# A click on an inline 〔label〕 (its href names the card's id; Gradio's sanitizer drops data- attributes)
# opens its card and brings it into view (capture phase: before Gradio's
# own link handling, which would open a new tab). The copy button reads #plain-answer.
HEAD_JS = """<script>
document.addEventListener('click', function (e) {
  var a = e.target.closest ? e.target.closest('a.cite-link') : null;
  if (!a) return;
  e.preventDefault(); e.stopPropagation();
  var card = document.getElementById((a.getAttribute('href') || '').slice(1));
  if (!card || card.tagName !== 'DETAILS') return;
  card.open = true;
  card.scrollIntoView({block: 'nearest'});
  card.classList.add('cite-flash');
  setTimeout(function () { card.classList.remove('cite-flash'); }, 1500);  // outline long enough to catch the eye
}, true);
</script>"""

COPY_JS = """() => {
  var box = document.querySelector('#plain-answer textarea');
  var text = box ? box.value : '';
  if (!text) return [];
  window.__planqa_copied = text;
  if (navigator.clipboard && navigator.clipboard.writeText) { navigator.clipboard.writeText(text).catch(function () {}); }
  else { box.select(); document.execCommand('copy'); }
  return [];
}"""


def highlight(text: str, quotes: list[str]) -> str:
    """Escaped clause text with every quote (matched ignoring width and spaces) inside <mark>."""
    mapped = NormMap.of(text)
    spans: list[tuple[int, int]] = []
    for q in quotes:
        nq = norm(q or "")
        if not nq:
            continue
        start = mapped.text.find(nq)
        while start != -1:
            spans.append(mapped.span(start, start + len(nq)))
            start = mapped.text.find(nq, start + len(nq))
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    parts, pos = [], 0
    for a, b in merged:
        parts.append(html.escape(text[pos:a]))
        parts.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    parts.append(html.escape(text[pos:]))
    return "".join(parts)


def _one_line(s: str) -> str:
    """HTML on one line with no blank lines, so Markdown keeps it one raw HTML block."""
    return s.replace("\r", "").replace("\n", "<br>")


def clause_card(engine, citation: Citation, quotes: list[str], n: int, card_id: str, open_: bool = False) -> str:
    clause = engine.clause(citation.clause_id)
    try:
        doc = engine.doc(citation.doc_id)
        meta = f"{html.escape(doc.titles[0] if len(doc.titles) == 1 else '；'.join(doc.titles))} · 印发日期 {html.escape(doc.issue_date)}"
        if doc.doc_number:
            meta += f" · {html.escape(doc.doc_number)}"
        if clause is not None and clause.page:  # a clause of a PDF plan: where to find it in the file
            meta += f" · 第 {clause.page} 页"
        if clause is not None:
            path = " › ".join(x for x in (doc.short_name, clause.part, clause.domain, clause.section) if x)
            meta = f"{html.escape(path)}<br>{meta}"
    except (KeyError, StopIteration):
        meta = html.escape(citation.doc_id)
    body = highlight(clause.text, quotes) if clause else "".join(f"<mark>{html.escape(q)}</mark>" for q in quotes)
    return _one_line(
        f'<details class="clause-card" id="cite-{card_id}"{" open" if open_ else ""}>'
        f'<summary>[{n}] {html.escape(citation.label)}</summary>'
        f'<div class="clause-meta">{meta}</div><div class="clause-text">{body}</div></details>')


def answer_markdown(engine, answer: Answer) -> str:
    """The answer with each inline 〔label〕 a link to its card, then the cards: one per clause,
    numbered in citation order, the first open."""
    text = answer.answer
    groups = group_citations(answer.citations)
    if not groups:
        return text
    prefix = secrets.token_hex(CARD_ID_BYTES)
    cards = []
    for n, (c, quotes) in enumerate(groups, 1):
        card_id = f"{prefix}-{n}"
        cards.append(clause_card(engine, c, quotes, n, card_id, open_=n == 1))
        link = (f'<a class="cite-link" href="#cite-{card_id}" title="查看出处 [{n}]">〔{html.escape(c.label)}〕</a>')
        text = text.replace(f"〔{c.label}〕", link)
    return text + "\n\n**出处**\n\n" + "\n".join(cards)


# ---- plain text: what staff paste into a report -----------------------------------------------

_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def plain_text(markdown: str) -> str:
    """The answer's Markdown as plain text: no **, table rows as tab-separated cells."""
    lines = []
    for line in markdown.replace("**", "").splitlines():
        if _TABLE_RULE.match(line):
            continue
        if line.strip().startswith("|"):
            line = "\t".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        lines.append(line)
    return "\n".join(lines).strip()


def plain_answer(answer: str, citations: list) -> str:
    lines = citation_lines(citations)
    return plain_text(answer) + (f"\n\n{CITATIONS_HEAD}\n" + "\n".join(lines) if lines else "")


# ---- the whole conversation ------------------------------------------------------------------

def conversation_turns(session: dict | None) -> list[dict]:
    """The session's answered turns, oldest first."""
    turns = (session or {}).get("turns") or {}
    return [t for _, t in sorted(turns.items(), key=lambda kv: int(kv[0]))]


def conversation_markdown(turns: list[dict], when: datetime | None = None) -> str:
    when = when or datetime.now()
    out = [f"# 妇儿规划问答记录\n\n导出时间：{when:%Y-%m-%d %H:%M}\n"]
    for i, t in enumerate(turns, 1):
        out.append(f"## 问题 {i}：{t['question']}\n")
        out.append(plain_text(t["answer"]) + "\n")
        lines = citation_lines(t.get("citations") or [])
        if lines:
            out.append(f"{CITATIONS_HEAD}\n\n" + "\n".join(f"- {x}" for x in lines) + "\n")
    return "\n".join(out)


def write_conversation(turns: list[dict], folder: Path, stem: str = "问答记录") -> tuple[Path, Path]:
    """The conversation as <stem>.md (UTF-8) and <stem>.docx, in `folder`."""
    from docx import Document
    from docx.oxml.ns import qn

    when = datetime.now()
    md_path, docx_path = folder / f"{stem}.md", folder / f"{stem}.docx"
    md_path.write_text(conversation_markdown(turns, when), encoding="utf-8")
    doc = Document()
    style = doc.styles["Normal"]
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Microsoft YaHei")  # Chinese face in Word
    doc.add_heading("妇儿规划问答记录", level=1)
    doc.add_paragraph(f"导出时间：{when:%Y-%m-%d %H:%M}")
    for i, t in enumerate(turns, 1):
        doc.add_heading(f"问题 {i}：{t['question']}", level=2)
        for para in plain_text(t["answer"]).split("\n"):
            if para.strip():
                doc.add_paragraph(para)
        lines = citation_lines(t.get("citations") or [])
        if lines:
            doc.add_paragraph(CITATIONS_HEAD)
            for line in lines:
                doc.add_paragraph(line, style="List Bullet")
    doc.save(docx_path)
    return md_path, docx_path
