"""One indicator across plans: a table row per plan with its figure, year and a verdict against the
plan's own parent plan; 哪个更严/更高 adds which plan that is. Figures come from the targets table."""

from __future__ import annotations

from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.state import Query
from assistant.compare import HIGHER_IS_BETTER, LOWER_IS_BETTER, CompareTable, better_direction, compare
from assistant.text import fmt_number

MAX_INDICATORS = 4  # a comparison of more indicators than this is a list question, not a table


def table_for(ctx: Context, key: str, year: int | None, doc_ids: list[str] | None) -> CompareTable:
    table = compare(key, list(ctx.docs), ctx.by_key.get(key, []), doc_ids, year)
    for r in table.rows:
        if r.clause_id:
            r.label = ctx.clause_by_id[r.clause_id].label
    return table


def which_line(table: CompareTable, which: str) -> str:
    """更严的是西城区规划（100%）: never a verdict the values shown do not carry."""
    rows = [r for r in table.rows if r.norm_value is not None]
    if len(rows) < 2 or len({r.norm_unit for r in rows}) > 1:
        return phrases.WHICH_UNCOMPARABLE
    if len({r.norm_value for r in rows}) == 1:
        return phrases.WHICH_SAME.format(value=rows[0].value)
    if which == "stricter":
        comps = {r.comparator for r in rows}
        lower = comps <= LOWER_IS_BETTER or (not comps & HIGHER_IS_BETTER and better_direction(table.indicator_key) == "lower")
        pick = min if lower else max
    else:
        pick = min if which == "lower" else max
    best = pick(rows, key=lambda r: r.norm_value)
    value = best.value if best.value else fmt_number(best.norm_value)
    return phrases.WHICH_ANSWER.format(which=phrases.WHICH[which], plan=best.plan, value=value)


class Comparison:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        if not q.indicator_keys:
            return None
        doc_ids = [i for i in q.doc_ids if i in ctx.doc_by_id and ctx.doc_by_id[i].kind == "plan"]
        blocks, cites, used = [], [], []
        for key in q.indicator_keys[:MAX_INDICATORS]:
            table = table_for(ctx, key, q.year, doc_ids or None)
            if not doc_ids:
                table.rows = [r for r in table.rows if r.verdict != "未涉及"]
            block = f"**{key}**\n\n" + compose.compare_table(table, lambda i: ctx.clause_by_id[i].text)
            if q.which:
                block = which_line(table, q.which) + "\n\n" + block
            blocks.append(block)
            for r in table.rows:
                if r.clause_id:
                    cites.append(compose.cite(ctx.clause_by_id[r.clause_id], r.quote or ""))
                    used += [t for t in ctx.by_key.get(key, []) if t.clause_id == r.clause_id and t.value == r.value]
        if not cites:
            return None
        return Draft(answer="\n\n".join(blocks), answerable=True, citations=compose.dedupe(cites), targets=used,
                     intent=Intent.COMPARE)
