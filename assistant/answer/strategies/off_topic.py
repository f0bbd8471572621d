"""A request that is not a question about the plans (写首诗, 讲个笑话): said plainly, nothing quoted."""

from __future__ import annotations

from assistant.answer import phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.state import Query


class OffTopic:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        return Draft(answer=phrases.OFF_TOPIC, answerable=False, intent=Intent.UNSUPPORTED)
