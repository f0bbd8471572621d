"""Chinese text normalisation for matching, with a map back to the original characters."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cn2an


def norm(text: str) -> str:
    """NFKC-normalised text with all whitespace removed: the form every match uses."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class NormMap:
    """Normalised text plus, for each normalised character, its index in the original."""

    original: str
    text: str
    offsets: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> "NormMap":
        chars: list[str] = []
        offsets: list[int] = []
        for i, ch in enumerate(original):
            for c in unicodedata.normalize("NFKC", ch):
                if not c.isspace():
                    chars.append(c)
                    offsets.append(i)
        return cls(original, "".join(chars), tuple(offsets))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering normalised [start, end)."""
        if start >= end:
            return (self.offsets[start] if start < len(self.offsets) else len(self.original),) * 2
        return self.offsets[start], self.offsets[end - 1] + 1

    def find(self, needle: str, start: int = 0) -> tuple[int, int] | None:
        """Original span of the first normalised occurrence of `needle`, or None."""
        n = norm(needle)
        if not n:
            return None
        i = self.text.find(n, start)
        if i < 0:
            return None
        return self.span(i, i + len(n))

    def original_of(self, needle: str) -> str | None:
        sp = self.find(needle)
        return None if sp is None else self.original[sp[0] : sp[1]]


def longest_first(words) -> list[str]:
    """Distinct words, longest first, ties in character order: replacing or matching words in this order gives
    the same result in every process (a set's order changes with the hash seed: 北京市 or 市规划 first in
    北京市规划 cut differently)."""
    return sorted(set(words), key=lambda w: (-len(w), w))


def contains(haystack: str, needle: str) -> bool:
    return norm(needle) in norm(haystack)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_number(s: str) -> int | None:
    """Value of a small Chinese numeral (一, 十二, 二十三, 一百); None if not one."""
    if not s:
        return None
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            cur = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (cur or 1) * _CN_UNITS[ch]
            cur = 0
        else:
            return None
    return total + cur


def fmt_number(x: float) -> str:
    """10.0 -> 10, 4.5 -> 4.5: how an answer prints a normalised figure (and the guard allows it)."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def cn_numeral(n: int) -> str:
    """12 -> 十二, 20 -> 二十, 105 -> 一百零五, 1205 -> 一千二百零五 (for labels: 第二条).

    cn2an writes any size; it gives the same words as the hand-written formatter it replaced
    for 1..999 (tests/test_text.py), which raised IndexError from 1000 on."""
    return cn2an.an2cn(int(n))


# History a follow-up question may lean on (UI, API, CLI and engine all trim with trim_history).
MAX_QUESTION_CHARS = 10_000  # a question longer than this is refused, so never stored either
MAX_HISTORY_TURNS = 12  # a staff chat runs 6–8 turns and says whose district it is in the first (我是东城…): keep it whole
MAX_HISTORY_ENTRY_CHARS = 1_000  # a real question is < 200 characters; longer ones are pasted text
MAX_HISTORY_CHARS = 3_000  # the whole history: six ordinary questions are well under 1,000


REFUSED_INTENTS = frozenset({"empty", "too_long", "unsupported"})  # Engine.ask's refusals


def add_turn(history, question: str, intent: str) -> list[str]:
    """The history after a turn: a refused or oversized question never becomes context."""
    return trim_history(history if intent in REFUSED_INTENTS else [*(history or []), question])


def trim_history(history) -> list[str]:
    """The turns a question may use: strings only, none empty or over MAX_HISTORY_ENTRY_CHARS,
    the newest MAX_HISTORY_TURNS, oldest dropped until the total fits MAX_HISTORY_CHARS."""
    if not isinstance(history, (list, tuple)):
        return []
    turns = [h.strip() for h in history if isinstance(h, str) and h.strip() and len(h) <= MAX_HISTORY_ENTRY_CHARS]
    turns = turns[-MAX_HISTORY_TURNS:]
    while sum(map(len, turns)) > MAX_HISTORY_CHARS:
        turns.pop(0)
    return turns


_SENT_END = re.compile(r"(?<=[。；;！!？?])")


def sentences(text: str) -> list[str]:
    """Split on sentence-final punctuation, keeping the punctuation."""
    return [s for s in _SENT_END.split(text) if s.strip()]


def bigrams(text: str) -> set[str]:
    """Every two-character window of the text's Han characters, digits, letters and %‰ (normalised):
    what answers match a question's topic against, in memory and in the shared stores' sentence index."""
    t = re.sub(r"[^\u4e00-\u9fff0-9a-zA-Z%‰]", "", norm(text))
    return {t[i : i + 2] for i in range(len(t) - 1)}


def clause_sentences(text: str) -> list[tuple[str, str]]:
    """A clause's sentences as (words, normalised words); a clause without a sentence end is one sentence.
    The unit the figure finder, owner and refusal answers score, in memory and in the shared stores."""
    return [(s.strip(), norm(s)) for s in sentences(text) or [text] if s.strip()]
