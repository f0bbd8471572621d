"""What an answer strategy returns: a draft the engine checks (numeric guard) before it answers."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from assistant.answer.intent import Intent
from assistant.models import Answer, Citation, Count, Difference, Observation, Target


class Draft(BaseModel):
    answer: str
    answerable: bool
    citations: list[Citation] = []
    targets: list[Target] = []
    counts: list[Count] = []
    observed: list[Observation] = []
    differences: list[Difference] = []
    intent: Intent

    def final(self) -> Answer:
        return Answer(answer=self.answer, answerable=self.answerable, citations=self.citations,
                      targets=self.targets, counts=self.counts, observed=self.observed,
                      differences=self.differences, intent=str(self.intent))


class Strategy(Protocol):
    """One answer type: a draft when it can answer the query from the context, else None."""

    def run(self, query, ctx) -> Draft | None: ...
