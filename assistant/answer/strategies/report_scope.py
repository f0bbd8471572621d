"""A work report asked about a place it never names (曾都18年的工作总结, 18年那份总结里西城区的婚检率): the
report is the city committee's, so say that it holds nothing on that place, instead of answering with the
city's figure. Runs before every intent, like OutOfCorpus."""

from __future__ import annotations

from assistant.answer import phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.parse import region_names
from assistant.answer.state import Query
from assistant.answer.strategies.refusal import covered


class ReportScope:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        if q.inherited:
            return None  # the turn itself must name both the report and the place
        docs = [ctx.doc_by_id[i] for i in q.doc_ids if i in ctx.doc_by_id]
        reports = [d for d in docs if d.kind != "plan"]
        places = [d for d in docs if d.kind == "plan" and all(d.region != r.region for r in reports)]
        if not reports or not places:
            return None
        notes = [phrases.REPORT_NOT_OF_PLACE.format(region=r.region, place=p.region)
                 for r in reports for p in places if not ctx.mentions(region_names(p), {r.doc_id})]
        if not notes:
            return None  # 2018年总结里东城区投了多少: the report does speak of that district
        return Draft(answer="".join(notes) + covered(ctx), answerable=False, intent=q.intent)
