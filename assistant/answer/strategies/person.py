"""Who holds an office (市妇儿工委主任是谁 / 曾都妇儿工委主任叫什么): the name where the text gives one
next to that office, else an honest "the text names no one". Plans name bodies, rarely people."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant import lexicon
from assistant.answer import compose, phrases
from assistant.answer.compose import bigrams
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.parse import alternation, person_pattern, says
from assistant.answer.state import Query

NAME = r"([\u4e00-\u9fff]{2,3})同志"  # 市妇儿工委主任张工同志: a name the text marks as a person
OFFICE = 10  # characters before the title that say whose office it is (市妇儿工委 / 市妇儿工委办公室)
BEFORE_OFFICE = re.compile(r"[，,。？?！!的里]")  # where the office's name starts


@lru_cache(maxsize=1)
def _when() -> re.Pattern:
    """Words of when before the title (2018年那会儿, 现在的): they are not part of the office's name."""
    return re.compile(f"的?(?:{alternation(lexicon.load('questions')['person_when_words'])}|20\\d\\d年)的?")


class Person:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        m = person_pattern().search(q.text)
        if not m:
            return None
        title = m.group(1)
        office = BEFORE_OFFICE.split(_when().sub("", q.text[: m.start()]).rstrip("的"))[-1][-OFFICE:]  # …的时候，市妇儿工委 -> 市妇儿工委
        wanted = re.compile(re.escape(office + title) + NAME) if office else re.compile(re.escape(title) + NAME)
        docs = ctx.scope(q.doc_ids, q.text, plans_only=False) if q.doc_ids else list(ctx.docs)
        for s, _, _ in ctx.sentences_with([d.doc_id for d in docs], bigrams(title)):  # those naming the title
            if hit := wanted.search(s.norm):
                now = says(q.text, "person_now_words")  # 现在的主任是谁: the text's name is who held it then
                said = phrases.PERSON_THEN if now else phrases.PERSON_NAMED
                return Draft(answer=said.format(office=office + title, name=hit.group(1))
                             + "\n\n" + compose.quote_block(s.clause, [s.text]), answerable=not now,
                             citations=[compose.cite(s.clause, s.text)], intent=Intent.PERSON)
        return Draft(answer=phrases.PERSON_NONE.format(office=office + title), answerable=False, intent=Intent.PERSON)
