"""Who leads or carries a task: the sentence that names the body (评估组由区妇儿工委办公室牵头), an
owner from a task-assignment table, or — when the plan names nobody — that plain fact with the
plan's general rule, cited."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant import lexicon
from assistant.answer import compose, phrases
from assistant.answer.compose import STOP_BIGRAMS, bigrams
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.figures import LISTING
from assistant.answer.parse import alternation, anaphora_pattern, says
from assistant.answer.state import Query
from assistant.answer.strategies.clauses import best_hits, quote_answer
from assistant.models import Citation, DocMeta
from assistant.text import sentences

MIN_COVERAGE = 0.5  # share of the question's (rarity-weighted) topic an owner sentence must hold
MAX_PLANS = 4  # owner sentences shown for a question naming several plans
TIE_BREAK = 0.05  # small: decides only between sentences that hold the topic about equally
SUBJECT_LED = 1.0  # the asked thing followed by 由 (X由Y牵头) says who does it: it outranks any topic overlap


@lru_cache(maxsize=1)
def _question_words() -> frozenset[str]:
    lex = lexicon.load("questions")
    return frozenset().union(*(bigrams(w) for w in _question_phrases()))


@lru_cache(maxsize=1)
def _question_phrases() -> tuple[str, ...]:
    lex = lexicon.load("questions")
    return tuple(sorted(lex["intents"]["owner"] + lex["anaphora_heads"], key=len, reverse=True))


def _own_words(text: str) -> set[str]:
    """The turn's subject words: 这个指标归谁负责监测 -> 监测; 规划实施的具体工作是哪个部门负责 -> 实施, 工作.
    Pointing (这个指标) and question words are cut out as words, so that no bigram spans their edge (标归)."""
    text = LISTING.sub(" ", anaphora_pattern().sub(" ", text))  # 工委和办公室: no bigram across 和
    for w in _question_phrases():
        text = text.replace(w, " ")
    return compose.topic_bigrams(text) - _question_words()  # 各管 of 各管什么 (什么 was cut as a stopword)


ASKED_AFTER = re.compile(r"(?:负责|牵头)(?:开展|组织)?([\u4e00-\u9fff]{2})")  # 由谁负责监测 -> 监测


def _asked_subject(text: str) -> re.Pattern | None:
    """What a sentence says before 由 when it names the asked thing's owner: the two characters just
    before the question word (评估组是哪个单位牵头 -> 估组由); with only pointing before it, the thing the
    question's verb governs, as the head of a body's name (这个指标由谁负责监测 -> 监测组由)."""
    # (the question word, not pointing: 西城这些指标的监测由谁牵头 asks about 监测, not 西城)
    at = [i for w in lexicon.load("questions")["intents"]["owner"] if (i := text.find(w)) > 0]
    if not at:
        return None
    before = re.sub(r"[是的分别要具体最后都各，,]+$", "", text[: min(at)])[-2:]
    # (…婴儿死亡率，这个指标由谁负责监测: the pointing that starts the question counts, whatever came before it)
    if anaphora_pattern().search(text[: min(at) + 1]) or anaphora_pattern().match(text, min(at)) or not before:
        m = ASKED_AFTER.search(text, min(at))
        if m:
            return re.compile(re.escape(m.group(1)) + r"[\u4e00-\u9fff]?由")
    return re.compile(re.escape(before) + "由") if before else None



RECIPIENT_NAMED = 0.3  # 报给谁: naming a receiving body decides between sentences on the topic, not against it
RECIPIENT_SPAN = 12  # characters after 提交/报送 where the receiving body's name stands (北京市妇女儿童工作委员会)


@lru_cache(maxsize=1)
def _recipient_spans() -> tuple[re.Pattern, re.Pattern]:
    """What follows a verb of handing in (提交…), and what stands between 向 and that verb (向区妇儿工委提交)."""
    verbs = alternation(lexicon.load("questions")["recipient_verbs"])
    return (re.compile(f"(?:{verbs})([^，,。；;]{{1,{RECIPIENT_SPAN}}})"),
            re.compile(f"向([^，,。；;]{{1,{RECIPIENT_SPAN}}}?)(?:{verbs})"))


def _names_recipient(sentence: str) -> bool:
    """A body's name right after a verb of handing in (提交区妇儿工委), not the thing handed in."""
    suffixes = lexicon.load("questions")["body_suffixes"]  # the committee itself counts here: it receives reports
    spans = [m.group(1) for p in _recipient_spans() for m in p.finditer(sentence)]
    return any(any(w in span for w in suffixes) for span in spans)


def names_a_body(text: str) -> bool:
    """The text names an organisation (区财政局、妇联、区急救中心站), not only 相关部门 or 成员单位."""
    lex = lexicon.load("questions")
    for w in sorted(lex["generic_bodies"], key=len, reverse=True):
        text = text.replace(w, " ")
    return any(w in text for w in lex["body_suffixes"])


class Owner:
    def run(self, q: Query, ctx: Context) -> Draft | None:
        docs = ctx.scope(q.doc_ids, q.text, plans_only=False) if q.doc_ids else list(ctx.docs)
        found, read_all = self._named_in_text(q, ctx, docs)
        found = found or self._leads_the_area(q, ctx)
        if found:
            blocks, cites = [], []
            for s in found:
                sents = [s.text, *self._next_on_topic(s, q, ctx)]
                blocks.append(compose.quote_block(s.clause, sents))
                cites.append(compose.cite(s.clause, "".join(sents)))
            more = "" if read_all else phrases.FIRST_PLANS_NAMING
            return Draft(answer=phrases.FROM_TEXT + "\n\n" + "\n\n".join(blocks) + more, answerable=True,
                         citations=compose.dedupe(cites), intent=Intent.OWNER)
        hits = best_hits(q, ctx, per_doc=False, intent=Intent.OWNER)
        if not hits:
            return None
        parts, cites = quote_answer(q, ctx, hits, Intent.OWNER, focus=lexicon.load("questions")["owner_text_words"])
        named = self._owner_note(q, ctx, docs, parts, cites)
        # 具体由哪个委办局负责 when the plan names nobody: the question has no answer in the plan (a refusal
        # that still quotes the plan's general rule); 有没有写明由谁负责 does: 没有写明, and the rule
        whether = says(q.text, "owner_whether_words") and not says(q.text, "owner_guess_words")
        return Draft(answer=phrases.FROM_TEXT + "\n\n" + "\n\n".join(parts), answerable=named or whether,
                     citations=compose.dedupe(cites), intent=Intent.OWNER)

    @staticmethod
    def _named_in_text(q: Query, ctx: Context, docs: list[DocMeta]) -> tuple[list, bool]:
        """Sentences that name who does the asked thing, best first, one per document; and whether every
        document was read. Up to compose.REGIONLESS_PLANS documents all are; a question over more (one naming
        no plan, of thousands) reads them that many at a time in the corpus's order and stops once MAX_PLANS
        of them name the owner, so its time does not grow with the plans (2,000 plans: 16,002 candidate
        sentences scored for 4 shown, 163 ms; bench/RESULTS.md)."""
        words = lexicon.load("questions")["owner_text_words"]
        own = _own_words(q.own_topic)
        # 这个指标的年度监测是谁牵头: the turn's own words (年度监测) decide; the indicator only when it has none
        core = own or (bigrams(q.topic) - STOP_BIGRAMS - _question_words()) | {b for n in q.indicator_names for b in bigrams(n)}
        if not core:
            return [], True
        subject = _asked_subject(q.text)
        recipient = says(q.text, "recipient_asks")
        idf = ctx.idf
        weight = {b: idf.get(b, idf[""]) for b in core}  # each asked bigram's weight once, not per sentence
        total = sum(weight[b] for b in core)
        best: dict[str, tuple[float, object]] = {}
        # a sentence naming an owner word holds every bigram of it, so its rarest one narrows the search exactly
        marks = {max(bigrams(w), key=lambda b: idf.get(b, idf[""])) for w in words} if all(bigrams(w) for w in words) else None
        ids = [d.doc_id for d in docs]
        read_all = True
        for start in range(0, len(ids), compose.REGIONLESS_PLANS):  # up to REGIONLESS_PLANS documents: one read
            if len(best) >= MAX_PLANS:
                read_all = False
                break
            batch = ids[start:start + compose.REGIONLESS_PLANS]
            for s, bs, _ in ctx.sentences_with(batch, core, within=marks):  # none of core: scores 0
                if not any(w in s.norm for w in words):
                    continue
                score = sum(weight[b] for b in core & bs) / total
                if subject and subject.search(s.norm):
                    score += SUBJECT_LED  # 评估组由区妇儿工委办公室牵头, not 领导小组下设监测组和评估组
                if recipient and _names_recipient(s.norm):
                    score += RECIPIENT_NAMED  # 报给谁: …分别提交北京市妇女儿童工作委员会和区发展改革委, not 提交自评估报告
                if score < MIN_COVERAGE:
                    continue
                score += TIE_BREAK * len(core & bs) / len(bs)  # of two as close, the one about less else
                if score > best.get(s.clause.doc_id, (0, None))[0]:
                    best[s.clause.doc_id] = (score, s)
        ranked = sorted(best.values(), key=lambda v: -v[0])
        if not ranked:
            return [], read_all
        top = ranked[0][0]
        return [s for score, s in ranked if score >= top * 0.9][:MAX_PLANS], read_all

    @staticmethod
    def _leads_the_area(q: Query, ctx: Context) -> list:
        """这块工作由哪个部门牵头 after a question about one of a domain's tasks: the sentence of that
        domain that names the body leading it (更好发挥民政部门牵头作用), else nothing."""
        if not q.inherited or not says(q.text, "area_words"):
            return []
        hits = best_hits(q.model_copy(update={"retrieval_text": q.history_text or q.retrieval_text}), ctx,
                         per_doc=False, intent=Intent.OWNER)
        if not hits or hits[0].clause.domain is None:
            return []
        c = hits[0].clause
        lead = lexicon.load("questions")["lead_words"]
        return [s for x in ctx.clauses_of.get(c.doc_id, []) if x.domain == c.domain
                for s in ctx.sentences_in(x) if any(w in s.norm for w in lead) and names_a_body(s.norm)][:1]

    @staticmethod
    def _next_on_topic(s, q: Query, ctx: Context) -> list[str]:
        """The sentence after the owner's, when it goes on about the asked thing (…设立监测评估领导小组。
        领导小组由…组成): owner questions often ask what the body consists of in the same breath."""
        sents = ctx.sentences_in(s.clause)
        i = next((k for k, x in enumerate(sents) if x is s), None)
        if i is None or i + 1 >= len(sents):
            return []
        nxt = sents[i + 1]
        core = bigrams(q.own_topic or q.topic) - STOP_BIGRAMS - _question_words()
        return [nxt.text] if core & bigrams(nxt.norm) else []

    @staticmethod
    def _owner_note(q: Query, ctx: Context, docs: list[DocMeta], parts: list[str], cites: list[Citation]) -> bool:
        """Who carries it, with where that comes from; or that the plan names nobody (False)."""
        in_scope = {d.doc_id for d in docs}
        owners = [t for k in q.indicator_keys for t in ctx.by_key.get(k, []) if t.owner and t.doc_id in in_scope]
        if owners and owners[0].owner_source != "plan":
            t = owners[0]
            parts.append(phrases.OWNER_FOUND.format(owner=t.owner, source=phrases.OWNER_SOURCES[t.owner_source]))
            if t.owner_clause_id:
                cites.append(compose.cite(ctx.clause_by_id[t.owner_clause_id], t.owner_quote or ""))
            return True
        # the clause most about the asked thing must name its body: a body named in a later clause does
        # another task (监测组由区统计局牵头 under 儿科医生…由哪个委办局负责; 家庭承担赡养老人责任 under 养老)
        quoted = cites[0].quote if cites else ""
        if not owners and any(w in quoted for w in lexicon.load("questions")["owner_text_words"]):
            return True  # the quoted clauses already say who
        # the sentence most about the asked thing names the body (区财政局将…纳入预算 / 联合妇联、工会、民政局);
        # 区急救中心站加强…转运 after the sentence about 危重新生儿救治中心 is another task's body
        about = bigrams(q.topic) - STOP_BIGRAMS - _question_words()
        sents = sentences(quoted) or [quoted]
        if names_a_body(max(sents, key=lambda s: len(about & bigrams(s)))):
            return True
        parts.append(phrases.OWNER_NONE)
        for d in [d for d in docs if d.kind == "plan"][:3]:
            rule = ctx.plan_rule(d.doc_id)
            if rule:
                owner, quote, clause_id = rule
                c = ctx.clause_by_id[clause_id]
                parts.append(phrases.OWNER_RULE.format(plan=d.short_name, owner=owner, quote=quote, label=c.label))
                cites.append(compose.cite(c, quote))
        return False
