"""A request that is not a question about the plans (写首诗, 讲个笑话): said plainly, nothing quoted."""

from __future__ import annotations

from assistant.answer import phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.parse import letters_only
from assistant.answer.state import Query


class OffTopic:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        return Draft(answer=phrases.OFF_TOPIC, answerable=False, intent=Intent.UNSUPPORTED)


class Nonsense:
    """规划 asdfgh 咋整: letters no document holds, and nothing else asked: said plainly (no clause is
    about it). A term the texts use (HPV) is a question like any other."""

    def run(self, q: Query, ctx: Context) -> Draft | None:
        runs = letters_only(q.text, list(ctx.docs))
        if not runs or ctx.mentions(runs + [r.upper() for r in runs], {d.doc_id for d in ctx.docs}):
            return None
        return Draft(answer=phrases.OFF_TOPIC, answerable=False, intent=Intent.UNSUPPORTED)
