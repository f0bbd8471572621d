"""Undo PDF line wrapping and drop page numbers, yielding one string per paragraph."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

PAGE_NUMBER = re.compile(r"^\s*[-—–－]\s*\d{1,4}\s*[-—–－]\s*$")
# A line that starts a new block whatever the line before it looked like.
BLOCK_START = re.compile(r"^\s*([一二三四五六七八九十]+、|[（(][一二三四五六七八九十]*[）)]|\d{1,2}[.．](?!\d))")
FULL_SHARE = 0.25  # wrapped text: the commonest line width covers this share of lines
FULL_FRACTION = 0.85  # a line this close to the full width continues on the next line


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def full_width(lines: list[str]) -> int | None:
    """The printed line width if the text was hard-wrapped (PDF extraction), else None."""
    widths = [width(s) for s in lines if s]
    if len(widths) < 20:
        return None
    w, n = Counter(widths).most_common(1)[0]
    return w if n / len(widths) >= FULL_SHARE and w >= 20 else None


def paragraphs(text: str) -> list[str]:
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not PAGE_NUMBER.match(ln)]
    full = full_width(lines)
    if full is None:
        return lines
    out: list[str] = []
    joining = False
    for ln in lines:
        if joining and not BLOCK_START.match(ln):
            out[-1] = join(out[-1], ln)
        else:
            out.append(ln)
        joining = width(ln) >= FULL_FRACTION * full
    return out


def join(left: str, right: str) -> str:
    # Chinese needs no space at a line break; keep one between two Latin/digit runs.
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return left + " " + right
    return left + right
