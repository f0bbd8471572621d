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
        # the build's word weights hold every word of the texts (lower-cased): one lookup a run, not a scan of
        # every clause (on the shared backend that would read every plan for each such question)
        if not runs or any(ctx.token_idf.get(r.lower()) is not None for r in runs):
            return None
        return Draft(answer=phrases.OFF_TOPIC, answerable=False, intent=Intent.UNSUPPORTED)
