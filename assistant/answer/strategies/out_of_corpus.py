"""A place the corpus holds no plan for (海淀、黄浦区、随州市): say so and list what is covered,
instead of answering from another district's plan. Runs before every other strategy."""

from __future__ import annotations

from assistant.answer import phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.state import Query
from assistant.answer.strategies.refusal import covered


class OutOfCorpus:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        if not q.unknown_regions:
            return None
        notes = []
        missing = list(q.unknown_regions)
        for i in q.doc_ids:
            d = ctx.doc_by_id.get(i)
            if d and d.parent_region in missing:  # 曾都 against 随州市: its parent plan is not here
                notes.append(phrases.PARENT_NOT_IN_CORPUS.format(plan=d.short_name, parent=d.parent_region))
                missing.remove(d.parent_region)
        failed = [r for r in missing if r in ctx.failed]  # in the manifest, but its text did not load
        for r in failed:
            notes.append(phrases.FAILED_PLAN.format(plan=r))  # the reason (file names, byte offsets) is shown by the app
            missing.remove(r)
        if missing:
            notes.insert(0, phrases.NOT_IN_CORPUS.format(regions="、".join(missing)))
        return Draft(answer="".join(notes) + covered(ctx), answerable=False, intent=Intent.OUT_OF_CORPUS)
