"""Undo hard line wrapping (PDF extraction) and drop page numbers, yielding one string per paragraph.

Layout-independent: every decision comes from the text's own signals, never from one file's layout:
- page-number lines (— 3 —, -3-, 第3页) and page breaks (form feeds written by assistant.ingest.formats);
- line-length statistics: a text is hard-wrapped when many lines share (nearly) the same width, and
  a line that reaches that width runs on into the next one;
- a line ending in a comma or an opening bracket never ends a paragraph;
- enumerators at line starts (一、 / （一） / 1.) and section marker lines (主要目标) always start a block.
"""

from __future__ import annotations

import re
import unicodedata

from assistant import lexicon

PAGE_DASH = r"[-—–－]"
PAGE_NUMBER = re.compile(rf"^\s*(?:{PAGE_DASH}\s*\d{{1,4}}\s*{PAGE_DASH}|第\s*\d{{1,4}}\s*页(?:\s*[,，/]?\s*共\s*\d{{1,4}}\s*页)?)\s*$")
# A page footer glued to a line by the PDF extractor ("主要目标— 8 —", "— 7 —1.加强…"): only the
# long dashes, which prose does not put around a bare number.
GLUED_PAGE_NUMBER = re.compile(r"^\s*[—–]\s*\d{1,4}\s*[—–]\s*|\s*[—–]\s*\d{1,4}\s*[—–]\s*$")
BARE_NUMBER = re.compile(r"^\s*\d{1,4}\s*$")  # a page number without dashes: only first/last on a page
PAGE_BREAK = "\f"
# A line that starts a new block whatever the line before it looked like.
BLOCK_START = re.compile(r"^\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d{1,2}[.．](?!\d))")
# Starts a block only after a line that ends its paragraph: "()" whose numeral was lost (a wrapped
# "居()民" is prose), and "8.5岁以下…" (item 8 whose text starts with a digit) after a sentence end.
WEAK_START = re.compile(r"^\s*([（(][）)]|\d{1,2}[.．]\d)")
# Lines that stand alone in a plan: a title (…规划 / …规划（2021—2030年）), a signature, a date.
TITLE_LINE = re.compile(r"^[^，。；：,;:《》“”]{2,60}(规划|纲要|方案|总结|思路|通知)([（(][^（()）]{4,20}[）)])?$")
SIGNATURE_LINE = re.compile(r"^[^，。；：,;:\s]{2,30}(人民政府|委员会|办公室|办公厅)$")
DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
# A paragraph's first line, indented (two ideographic spaces in a plan; assistant.ingest.formats writes
# a PDF line's indentation this way): a signal only in wrapped text.
INDENTED = re.compile(r"^(\u3000|[ \t]{2,})")
# Characters a paragraph never ends with: the sentence goes on in the next line.
OPEN_END = "，,、（(“‘《〈【"
SENTENCE_END = "。；;！？!?"
MIN_LINES = 20  # fewer lines than this tell nothing about a wrap width
MIN_FULL = 20  # a wrap width under this (10 Chinese characters) is a list, not a page column
WRAP_QUANTILE = 0.75  # in wrapped text most lines are full: this quantile of widths is the full width
BAND = 0.12  # lines within this fraction of the full width count as full (digits, Latin, punctuation vary)
FULL_SHARE = 0.4  # wrapped text: at least this share of lines are full; one-paragraph-a-line text has few
FULL_FRACTION = 0.85  # a line this close to the full width continues on the next line


def width(s: str) -> int:
    # ambiguous-width characters (“”…—) are full width in a Chinese font
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in s)


def _quantile(values: list[int], q: float) -> int:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def full_width(lines: list[str]) -> int | None:
    """The printed line width if the text was hard-wrapped (PDF extraction), else None."""
    widths = [width(s) for s in lines if s]
    if len(widths) < MIN_LINES:
        return None
    full = _quantile(widths, WRAP_QUANTILE)
    if full < MIN_FULL:
        return None
    near = sum(1 for w in widths if abs(w - full) <= BAND * full)
    return full if near / len(widths) >= FULL_SHARE else None


def _lines(text: str) -> list[tuple[str, int | None, bool]]:
    """Non-empty lines without page numbers, each with its page (None when the text has no page
    breaks) and whether it was indented."""
    paged = PAGE_BREAK in text
    out: list[tuple[str, int | None]] = []
    for no, page in enumerate(text.split(PAGE_BREAK), start=1):
        lines = [ln.rstrip() for ln in page.splitlines()]
        lines = [ln for ln in lines if ln.strip()]
        for i, ln in enumerate(lines):
            indent = bool(INDENTED.match(ln))
            ln = ln.strip()
            if PAGE_NUMBER.match(ln) or (paged and BARE_NUMBER.match(ln) and i in (0, len(lines) - 1)):
                continue
            if paged and i in (0, len(lines) - 1):
                ln = GLUED_PAGE_NUMBER.sub("", ln).strip()
            if ln:
                out.append((ln, no if paged else None, indent))
    return out


def paragraphs_paged(text: str) -> list[tuple[str, int | None]]:
    """Paragraphs with the page each starts on (None for texts without page breaks)."""
    lines = _lines(text)
    full = full_width([ln for ln, _, _ in lines])
    if full is None:
        return [(ln, page) for ln, page, _ in lines]
    out: list[tuple[str, int | None]] = []
    runs_on = False
    for ln, page, indent in lines:
        if runs_on and not indent and not starts_block(ln, out[-1][0]):
            out[-1] = (join(out[-1][0], ln), out[-1][1])
        else:
            out.append((ln, page))
        runs_on = not stands_alone(ln) and (width(ln) >= FULL_FRACTION * full or ln[-1] in OPEN_END)
    return out


def paragraphs(text: str) -> list[str]:
    return [p for p, _ in paragraphs_paged(text)]


def stands_alone(line: str) -> bool:
    """A marker, title, signature or date line: never joined to the line before or after."""
    if lexicon.marker_section(line) is not None or SIGNATURE_LINE.match(line) or DATE_LINE.match(line):
        return True
    return bool(TITLE_LINE.match(line)) and _balanced(line)


def _balanced(line: str) -> bool:
    depth = 0
    for c in line:
        depth += (c in "（(") - (c in "）)")
        if depth < 0:
            return False
    return depth == 0


def starts_block(line: str, after: str = "") -> bool:
    if BLOCK_START.match(line) or stands_alone(line):
        return True
    return bool(WEAK_START.match(line)) and after[-1:] in SENTENCE_END


def join(left: str, right: str) -> str:
    # Chinese needs no space at a line break; keep one between two Latin/digit runs.
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return left + " " + right
    return left + right
