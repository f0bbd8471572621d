"""Parse a plan's paragraphs into part -> domain -> section -> numbered clause.

Everything comes from the text's own markers (一、 / (一) / 1. / 主要目标) and the
vocabulary in assistant/lexicon; nothing here knows a particular file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant import lexicon
from assistant.ingest.corpus import SourceDoc
from assistant.ingest.unwrap import paragraphs_paged
from assistant.models import Clause, DocMeta
from assistant.text import cn_number, cn_numeral, norm, sentences

L1 = re.compile(r"^([一二三四五六七八九十]+)、\s*(.+)")
L2 = re.compile(r"^[（(]\s*([一二三四五六七八九十]*)\s*[）)]\s*(.+)")
ITEM = re.compile(r"^(\d{1,2})\s*[.．](?!\d)\s*(.+)")
# "8.5岁以下儿童…": item 8 whose text starts with a digit; taken only when 8 is the next number.
ITEM_BEFORE_DIGIT = re.compile(r"^(\d{1,2})\s*[.．](\d.+)")
MAX_HEADING = 60  # an 一、 line longer than this is prose, not a heading
MAX_TITLE = 40  # a measure's lead-in sentence is short


@dataclass
class _Open:
    """The clause being collected."""

    section: str
    no: int
    paras: list[str]
    titled: bool  # a heading-only item ("（一）加强组织领导") whose body follows
    page: int | None = None  # the PDF page the clause starts on


@dataclass
class _State:
    part: str
    population: str
    domain: str | None = None
    domain_key: str | None = None
    section: str = ""
    used: dict[str, set[int]] = field(default_factory=dict)
    open: _Open | None = None


def short_title(heading: str) -> str:
    return re.split(r"[，,：:。；;、]", heading, maxsplit=1)[0][:8]


def parse(doc: SourceDoc) -> list[Clause]:
    meta = doc.meta
    parts = {norm(p.title): p for p in meta.parts}
    st = _State(part="综合", population="综合", section=lexicon.special_section("header"))
    out: list[Clause] = []
    seen_texts: set[tuple[str, str]] = set()

    def close() -> None:
        o = st.open
        st.open = None
        if o is None:
            return
        text = "\n".join(o.paras)
        key = (st.part, norm(text))  # the 妇女 and the 儿童 plan of one file may share a paragraph: both kept
        # a page scrape repeated the paragraph within one plan: keep the first (not in the notice's header,
        # where the 落款 repeats the issuer's name of the title: 北京市西城区人民政府 … 2022年4月1日)
        if key in seen_texts and o.section != lexicon.special_section("header"):
            return
        seen_texts.add(key)
        out.append(_clause(meta, st, o, text, len(out)))

    def start(section: str, no: int | None, para: str, titled: bool = False) -> None:
        close()
        used = st.used.setdefault(_scope(st, section), set())
        if no is None or no in used:
            no = max(used, default=0) + 1
        used.add(no)
        st.open = _Open(section, no, [para], titled, page)

    def heading(para: str) -> None:
        st.section = lexicon.special_section("heading")
        start(st.section, None, para)
        close()

    page: int | None = None
    for para, page in paragraphs_paged(doc.text):
        n = norm(para)
        if n in parts:
            close()
            p = parts[n]
            st.part, st.population = p.part, p.population
            st.domain = st.domain_key = None
            st.section = lexicon.special_section("overview")
            continue
        if m := L1.match(para):
            if len(n) <= MAX_HEADING and "。" not in m.group(2):
                close()
                head = m.group(2).strip()
                pop = _population_of_heading(head)
                if not parts:
                    st.part = st.population = pop or "综合"
                st.domain = st.domain_key = None
                if pop:  # a part's heading is citable: structure answers (主要目标共58条) cite it
                    heading(para)
                st.section = (
                    lexicon.special_section("overview")
                    if pop
                    else lexicon.section_key(head) or f"{m.group(1)}、{short_title(head)}"
                )
                continue
        if marker := lexicon.marker_section(para):
            close()
            st.section = marker
            continue
        if m := L2.match(para):
            head = m.group(2).strip()
            name = re.split(r"[：:]", head, maxsplit=1)[0].strip()
            if (key := lexicon.domain_key(name)) is not None:
                close()
                st.domain, st.domain_key = name, key
                st.population = lexicon.population_of(name) or st.population
                if not parts:
                    st.part = st.population
                heading(para)
                st.section = lexicon.special_section("default_in_domain")
                continue
            if (sec := lexicon.section_key(name)) is not None and len(n) <= MAX_HEADING:
                close()
                st.domain = st.domain_key = None
                st.section = sec
                continue
            start(st.section, cn_number(m.group(1)), para, titled=not re.search(r"[。；]", head))
            continue
        m = ITEM.match(para) or _next_item(ITEM_BEFORE_DIGIT.match(para), st)
        if m:
            start(st.section, int(m.group(1)), para, titled=not re.search(r"[。；;]", para))
            continue
        if st.open is not None:
            st.open.paras.append(para)
            continue
        start(st.section if st.section else lexicon.special_section("overview"), None, para)
        close()
    close()
    return out


def _next_item(m: re.Match | None, st: _State) -> re.Match | None:
    if m is None or st.open is None:
        return None
    return m if int(m.group(1)) == st.open.no + 1 else None


def _population_of_heading(head: str) -> str | None:
    """二、促进妇女全面发展… -> 妇女; a heading naming both or neither -> None."""
    n = norm(head)
    w, c = "妇女" in n, "儿童" in n
    return "妇女" if w and not c else "儿童" if c and not w else None


def _scope(st: _State, section: str) -> str:
    return f"{st.part}/{st.domain_key}/{section}"


def _clause(meta: DocMeta, st: _State, o: _Open, text: str, order: int) -> Clause:
    path = [p for p in (st.part, st.domain_key, o.section, str(o.no)) if p]
    body = re.sub(r"^(\d{1,2})\s*[.．]", "", text, count=1) if re.match(r"\d", text) else L2.sub(r"\2", text, count=1)
    return Clause(
        doc_id=meta.doc_id,
        clause_id=f"{meta.doc_id}:{'/'.join(path)}",
        label=_label(meta, st, o),
        part=st.part,
        population=st.population,
        domain=st.domain,
        domain_key=st.domain_key,
        section=o.section,
        clause_no=o.no,
        title=_title(body, o),
        text=text,
        order=order,
        page=o.page,
    )


def _title(body: str, o: _Open) -> str | None:
    if o.titled:
        head = o.paras[0]
        return (ITEM.sub(r"\2", head) if ITEM.match(head) else L2.sub(r"\2", head)).strip()
    if o.section == "主要目标":  # a goal's first sentence is a target, not a title
        return None
    sents = sentences(body)
    if len(sents) > 1 and len(norm(sents[0])) <= MAX_TITLE:
        return sents[0].strip()
    return None


def _label(meta: DocMeta, st: _State, o: _Open) -> str:
    bits = [meta.short_name]
    if st.domain:
        bits.append(st.domain)
    elif st.part not in ("综合",):
        bits.append(st.part)
    unit = "段" if o.section in (lexicon.special_section("header"), lexicon.special_section("overview"),
                                 lexicon.special_section("heading")) else "条"
    bits.append(f"{o.section} 第{cn_numeral(o.no)}{unit}")  # in words: a label adds no figures
    return " · ".join(bits)
