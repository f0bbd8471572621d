"""What an answer strategy returns: a draft the engine checks (numeric guard) before it answers."""

from __future__ import annotations

from typing import Protocol

from assistant.answer.intent import Intent
from assistant.models import Answer


class Draft(Answer):
    """An Answer whose intent is still the enum; final() is what leaves the engine."""

    intent: Intent

    def final(self) -> Answer:
        return Answer.model_validate({**dict(self), "intent": str(self.intent)})


class Strategy(Protocol):
    """One answer type: a draft when it can answer the query from the context, else None."""

    def run(self, query, ctx) -> Draft | None: ...
