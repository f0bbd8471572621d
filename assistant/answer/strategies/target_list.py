"""Every target of a domain or topic, complete and grouped by plan: a domain's 主要目标 as written,
its quantified targets (主要目标 and 策略措施), the targets that share a value word (全覆盖), or the
targets about a topic (近视防控相关的指标)."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.figures import asked_unit, asks_specific
from assistant.answer.intent import Intent
from assistant.answer.parse import quoted_value
from assistant.answer.state import Query
from assistant.retrieve import Filters
from assistant.text import norm

TOPIC_CLAUSES = 4  # clauses a topic list reads its rows from (per plan)
EXTRA_CLAUSES = 2  # of those, clauses whose unextracted figures are quoted too
LISTED_KINDS = ("target", "measure")  # a plan's targets and the figures its measures set (12年免费特殊教育)
REPORTED_KINDS = ("achieved",)  # a work report's figures: what was reached (投入40亿元…, 污水处理率达到93%)
MIN_TERM = 3  # topic words shorter than this match too much
STATED = re.compile(r"\d+(?:\.\d+)?[%‰]")  # a value a list question names (要求100%的有哪几项)


def value_words() -> list[str]:
    """全覆盖、应保尽保…: the words a qualitative target is achieved by (comparators.yaml)."""
    return sorted(lexicon.load("comparators")["qualitative"]["achieve"], key=len, reverse=True)


class TargetList:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        # 西城呢 after 东城…哪些事项要实现全覆盖: the earlier turn's selection, asked of this plan
        said = q.text + (q.earlier_text if q.inherited else "")
        quantified = any(w in said for w in lexicon.load("questions")["quantified_words"])
        word = next((w for w in value_words() if w in said), None)
        if word is None and (m := STATED.search(norm(said))):  # 要求100%的有哪几项: the targets of that value
            word = m.group(0)
        word = word or quoted_value(said)  # 要求“保持稳定”的有哪些: the words quoted
        parts, cites, used = [], [], []
        for d in ctx.scope(q.doc_ids, q.text, plans_only=not self._reports_named(q, ctx)):
            clauses = [c for c in ctx.clauses_of.get(d.doc_id, []) if (q.domain_key is None or c.domain_key == q.domain_key)
                       and (q.population is None or c.population == q.population)]
            if q.domain_key and not quantified and not word:
                goals = [c for c in clauses if c.section == "主要目标"]
                if goals:
                    lines = [f"{i}. {c.text.split(chr(10))[0].split('.', 1)[-1]}" for i, c in enumerate(goals, 1)]
                    parts.append(phrases.GOALS_HEADER.format(plan=d.short_name, domain=goals[0].domain, n=len(goals))
                                 + "\n" + "\n".join(lines))
                    cites += [compose.cite(c, c.text) for c in goals]
                    continue
            ids = {c.clause_id for c in clauses}
            kinds = LISTED_KINDS if d.kind == "plan" else REPORTED_KINDS
            rows = [t for t in ctx.by_doc.get(d.doc_id, []) if t.kind in kinds]
            if asks_specific(q.text) and (unit := asked_unit(q)):  # 投入的几笔钱分别是多少: the amounts
                rows = [t for t in rows if unit.search(norm(t.quote))]  # (有哪几个 counts targets, asks no unit)
            if word:  # 哪些事项要实现全覆盖 / 要求100%的
                rows = [t for t in rows if (not q.domain_key or t.clause_id in ids) and word in norm(t.quote)]
                pool = []
            elif q.domain_key:  # a domain's quantified targets, goals and measures alike
                rows = [t for t in rows if t.clause_id in ids and t.value_num is not None]
                pool = []
            else:  # a topic: the numeric targets of the best clauses, or naming the topic
                pool = [h.clause for h in ctx.retriever.search(q.retrieval_text, k=TOPIC_CLAUSES,
                                                               filters=Filters(doc_ids=[d.doc_id], population=q.population))]
                hit_ids = {c.clause_id for c in pool}
                terms = [w for w in ctx.retriever.tokenizer(q.topic) if len(w) >= MIN_TERM] + q.indicator_names
                rows = [t for t in rows if t.value_num is not None and (
                    t.clause_id in hit_ids or t.indicator_key in q.indicator_keys or any(norm(w) in norm(t.quote) for w in terms))]
            if not rows:
                continue
            rows = list({(t.clause_id, t.quote): t for t in rows}.values())
            lines = [f"- {compose.target_line(t, ctx.clause_by_id[t.clause_id])}" for t in rows]
            terms = [w for w in ctx.retriever.tokenizer(q.topic) if len(w) >= MIN_TERM] + q.indicator_names
            for c in pool[:EXTRA_CLAUSES]:  # figures the table has no row for (促进70%的妇女在35—45岁接受…筛查)
                for sent in compose.best_sentences(c, q.topic, q.indicator_names, limit=3):
                    if re.search(r"\d", sent) and any(norm(w) in norm(sent) for w in terms) and not any(norm(t.quote) in norm(sent) for t in rows):
                        lines.append(f"- {compose.quote_block(c, [sent])}")
                        cites.append(compose.cite(c, sent))
            parts.append(phrases.LIST_HEADER.format(plan=d.short_name, lines="\n".join(lines)))
            cites += [compose.cite(ctx.clause_by_id[t.clause_id], t.quote) for t in rows]
            used += rows
        if not parts:
            return None
        return Draft(answer="\n\n".join(parts), answerable=True, citations=compose.dedupe(cites), targets=used,
                     intent=Intent.TARGET_LIST)

    @staticmethod
    def _reports_named(q: Query, ctx: Context) -> bool:
        """The question is about a work report it names (2018年总结里…几个数): its figures are listed."""
        return any(ctx.doc_by_id[i].kind != "plan" for i in q.doc_ids if i in ctx.doc_by_id)
