"""Questions about the documents themselves, answered from the manifest and the parsed structure:
how many 主要目标/策略措施 a part or domain has, which domains, issuer, date, 文号, period, and which
plans one file holds. Counts carry the clauses they counted, so the numeric guard can check them."""

from __future__ import annotations

import re

from assistant import lexicon
from assistant.answer import compose, phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.parse import says_of_document
from assistant.answer.state import Query
from assistant.models import Citation, Clause, Count, DocMeta
from assistant.text import norm

DATE_LINE = re.compile(r"^\d{4}年?\d{1,2}月?\d{1,2}日$")
COUNTED_SECTIONS = ("主要目标", "策略措施", "发展目标")  # the numbered lists staff count
CHAPTERS = ("基本原则", "组织实施", "监测评估")  # chapters outside the domains whose numbered items staff count too


def _part_of(q: Query, asked: str) -> list[str]:
    """The parts (妇女/儿童) asked about: those this turn (``asked``) names itself (儿童那块呢 after
    妇女部分分了几个领域), else those named as a part or plan, else the query's population."""
    populations = lexicon.load("questions")["populations"].items()
    said = [p for p, words in populations if any(w in asked for w in words)]
    pops = said or [p for p, words in populations if any(w + "部分" in q.text or w + "规划" in q.text for w in words)]
    return pops or ([q.population] if q.population else [])


def _tally(section: str, sec: list[Clause], counts: list[Count], cites: list[Citation]) -> str:
    """One counted list: its count (checked by the guard), every item it counted cited (the count is
    read off them: a reader checks any one of them), and the words that say it."""
    counts.append(Count(value=len(sec), clause_ids=[c.clause_id for c in sec]))
    cites += [compose.cite(c, c.text.split("\n")[0]) for c in sec]
    return phrases.COUNT_ITEM.format(section=section, n=len(sec), last=sec[-1].label)


DOMAIN_WORD = re.compile(r"^(?:妇女|儿童)(?:与|和)?")  # 儿童与健康 -> 健康: the word a sentence names it by
NAMES_ALL = 0.8  # a sentence naming this share of a part's domains names them all (法律 for 法律保护)


def _names_domains(text: str, domains: list[str]) -> bool:
    """The text names (nearly) every one of the part's domains by its own word (健康、安全、教育…)."""
    t = norm(text)
    words = [DOMAIN_WORD.sub("", d)[:2] for d in domains]
    return len(words) >= 2 and sum(w in t for w in words) >= NAMES_ALL * len(words)


class Structure:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        asked = q.text  # this turn's own words
        if q.earlier_text:  # 市里的儿童与健康呢？ asks what the earlier question asked (几条…), of another part
            q = q.model_copy(update={"text": q.text + q.earlier_text})
        docs = [ctx.doc_by_id[i] for i in q.doc_ids if i in ctx.doc_by_id] or list(ctx.plans)
        parts: list[str] = []
        cites: list[Citation] = []
        counts: list[Count] = []
        lex = lexicon.load("questions")
        missing: list[str] = []
        if any(w in q.text for w in lex["count_words"]) or (any(s in q.text for s in COUNTED_SECTIONS) and "几" in q.text):
            for d in docs:
                self._counts(q, ctx, d, parts, cites, counts, asked)
        elif "领域" in q.text:
            for d in docs:
                self._domains(q, ctx, d, parts, cites, counts, asked)
        else:
            for d in docs:
                self._facts(q, ctx, d, parts, cites, missing)
        if not parts and not missing:
            return None
        if missing:
            parts += missing
        return Draft(answer="\n\n".join(parts), answerable=bool(cites), citations=compose.dedupe(cites), counts=counts,
                     intent=Intent.STRUCTURE)

    @staticmethod
    def _scope_name(d: DocMeta, pop: str | None, domain: str | None) -> str:
        return phrases.SCOPE.format(plan=d.short_name, part=" · " + phrases.PART_NAMES[pop] if pop else "",
                                    domain=" · " + domain if domain else "")

    def _counts(self, q: Query, ctx: Context, d: DocMeta, parts, cites, counts, asked: str) -> None:
        chapters = [s for s in CHAPTERS if s in q.text]
        if chapters:  # 组织实施部分一共几条: that chapter's items, not the domains'
            # a file of two plans (曾都: 妇女 and 儿童) has the chapter once per plan
            pops = (_part_of(q, asked) or sorted({p.population for p in d.parts})) if len(d.parts) > 1 else [None]
            for s in chapters:
                for pop in pops:
                    sec = [c for c in ctx.clauses_of.get(d.doc_id, []) if c.section == s and (pop is None or c.population == pop)]
                    if sec:
                        parts.append(phrases.SECTION_COUNT.format(scope=self._scope_name(d, pop, None),
                                                                  counts=_tally(s, sec, counts, cites)))
            return
        # 策略措施呢 after 主要目标有几条: the section this turn names, else those the question names
        named = [s for s in COUNTED_SECTIONS if s in asked] or [s for s in COUNTED_SECTIONS if s in q.text] \
            or list(COUNTED_SECTIONS)
        pops = _part_of(q, asked) or [None]
        if pops == [None] and q.domain_key:  # 健康领域主要目标有几条: the 妇女 and the 儿童 domain, each by itself
            pops = sorted({c.population for c in ctx.clauses_of.get(d.doc_id, []) if c.domain_key == q.domain_key}) or [None]
        for pop in pops:
            clauses = [c for c in ctx.clauses_of.get(d.doc_id, []) if (pop is None or c.population == pop)
                       and (q.domain_key is None or c.domain_key == q.domain_key) and c.domain]
            items, found = [], []
            for s in named:
                sec = [c for c in clauses if c.section == s]
                if sec:
                    items.append(_tally(s, sec, counts, found))
            if items:
                heading = lexicon.special_section("heading")
                head = next((c for c in ctx.clauses_of.get(d.doc_id, []) if c.section == heading
                             and (pop is None or c.population == pop) and c.domain_key == q.domain_key), None)
                # the heading of the part or domain counted (二、促进妇女全面发展的领域…), then its last items
                cites += ([compose.cite(head, head.text)] if head else []) + found
                domain = clauses[0].domain if q.domain_key and clauses else None
                parts.append(phrases.SECTION_COUNT.format(scope=self._scope_name(d, pop, domain), counts="，".join(items)))

    def _domains(self, q: Query, ctx: Context, d: DocMeta, parts, cites, counts, asked: str) -> None:
        for pop in _part_of(q, asked) or ["妇女", "儿童"]:
            first: dict[str, Clause] = {}
            for c in ctx.clauses_of.get(d.doc_id, []):
                if c.population == pop and c.domain and c.domain not in first:
                    first[c.domain] = c
            if not first:
                continue
            parts.append(phrases.DOMAIN_LIST.format(scope=self._scope_name(d, pop, None), n=len(first),
                                                    domains="、".join(first)))
            counts.append(Count(value=len(first), clause_ids=[c.clause_id for c in first.values()]))
            heading = lexicon.special_section("heading")
            head = next((c for c in ctx.clauses_of.get(d.doc_id, []) if c.section == heading
                         and c.population == pop and c.domain is None), None)
            # the part's own heading (二、促进妇女全面发展的领域…) first, then each domain's
            # the sentence of the part that names its domains in one breath (保障儿童在健康、安全…领域…)
            naming = next((c for c in ctx.clauses_of.get(d.doc_id, []) if c.population == pop and not c.domain
                           and _names_domains(c.text, list(first))), None)
            cites += ([compose.cite(head, head.text)] if head else []) + \
                ([compose.cite(naming, naming.text)] if naming else []) + \
                [compose.cite(c, c.text.split("\n")[0]) for c in first.values()]

    def _facts(self, q: Query, ctx: Context, d: DocMeta, parts, cites, missing) -> None:
        header = [c for c in ctx.clauses_of.get(d.doc_id, []) if c.section == lexicon.special_section("header")]
        said = lambda kind: says_of_document(q.text, kind)  # noqa: E731
        asked = False
        if d.doc_number and norm(d.doc_number) in q.text and not said("doc_number"):
            # 曾政发〔2022〕8号这个文件里有几个规划: the question names the file by its number; its line is cited
            c = next((c for c in header if norm(d.doc_number) in norm(c.text)), None)
            if c:
                parts.append(phrases.DOC_NUMBER.format(plan=d.short_name, number=d.doc_number, label=c.label))
                cites.append(compose.cite(c, d.doc_number))
        if said("doc_number"):
            asked = True
            c = next((c for c in header if d.doc_number and norm(d.doc_number) in norm(c.text)), None)
            if c:
                parts.append(phrases.DOC_NUMBER.format(plan=d.short_name, number=d.doc_number, label=c.label))
                cites.append(compose.cite(c, d.doc_number))
            else:
                missing.append(phrases.NO_DOC_NUMBER.format(plan=d.short_name))
        about_doc = said("issued") and said("issued_when")
        if about_doc:
            asked = True
            c = next((c for c in reversed(header) if DATE_LINE.match(norm(c.text))), None)
            if c is None:  # 时间:2019-07-01 来源:市妇儿工委办: the line that carries the manifest's date
                c = next((c for c in header if d.issue_date in norm(c.text)), None)
            if c is None:
                y = d.issue_date.split("-")[0]
                c = next((c for c in header if y in norm(c.text) and re.search(r"\d{4}-\d\d-\d\d|\d{4}年", c.text)), None)
            if c:
                y, m, day = (int(x) for x in d.issue_date.split("-"))
                digits = re.sub(r"\D", "", c.text)
                same = digits in (f"{y}{m}{day}", f"{y}{m:02d}{day:02d}")  # the manifest's date is the 落款's
                template = phrases.ISSUE_DATE_READ if same else phrases.ISSUE_DATE
                parts.append(template.format(plan=d.short_name, quote=c.text.strip(), label=c.label, y=y, m=m, d=day))
                at = header.index(c)
                signer = header[at - 1] if at and norm(d.issuer) in norm(header[at - 1].text) else None
                # the 落款 is the issuer's line and the date under it: both cited
                cites += ([compose.cite(signer, signer.text)] if signer else []) + [compose.cite(c, c.text)]
        who = said("who")
        if who and said("who_issued"):
            asked = True
            c = next((c for c in header if norm(d.issuer) in norm(c.text)), None) or \
                next((c for c in header if norm(d.issuer).removeprefix("北京市") in norm(c.text)), None)
            if c:
                parts.append(phrases.ISSUER.format(plan=d.short_name, issuer=d.issuer, label=c.label))
                cites.append(compose.cite(c, d.issuer if norm(d.issuer) in norm(c.text) else c.text))
        if said("period"):
            asked = True
            if len(d.parts) > 1:
                naming = [c for c in header if all(norm(p.title) in norm(c.text) for p in d.parts)]
                # the notice's own sentence quoting each plan as 《…》 (现将《…》《…》印发给你们) before the title line
                c = next((c for c in naming if all(norm(f"《{p.title}》") in norm(c.text) for p in d.parts)), None) or \
                    next(iter(naming), None)
                titles = "、".join(f"《{p.title}》" for p in d.parts)
                parts.append(phrases.PARTS.format(plan=d.short_name, n="两" if len(d.parts) == 2 else len(d.parts), titles=titles)
                             + (f"〔{c.label}〕" if c else ""))
                if c:
                    cites.append(compose.cite(c, c.text))
            c = next((c for c in header if any(norm(t) in norm(c.text) for t in d.titles)), None)
            if c:
                parts.append(phrases.PERIOD.format(plan=d.short_name, quote=c.text.strip(), label=c.label))
                cites.append(compose.cite(c, c.text))
            if (c is None or str(d.period_end) not in norm(c.text)) and (found := ctx.period_end_sentence(d)):
                e, sentence = found  # “十四五”时期: the years the plan itself names
                parts.append(phrases.PERIOD_YEAR.format(plan=d.short_name, end=d.period_end, label=e.label))
                cites.append(compose.cite(e, sentence))
        if not asked:
            return
