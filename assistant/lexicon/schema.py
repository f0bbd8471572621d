"""The shape of every vocabulary file beside this module, checked when it is loaded.

A wrong file (a list where a mapping belongs, a missing key, an unknown direction) fails at
load with the file's name and the field, instead of a KeyError deep inside an answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Comparators(_Strict):
    before: dict[str, list[str]]
    after: dict[str, list[str]]
    word_values: dict[str, tuple[float, str]] = {}
    qualitative: dict[Literal["increase", "decrease", "maintain", "achieve"], list[str]]
    not_after: dict[str, list[str]] = {}
    units: list[str]
    fractions: dict[str, int]
    rate_units: dict[str, int] = {}
    radius: str


class Domain(_Strict):
    key: str
    names: list[str] = Field(min_length=1)


class Domains(_Strict):
    domains: list[Domain]


class Indicator(_Strict):
    key: str
    better: Literal["lower", "higher"] | None = None
    umbrella: bool = False  # several measures share the key: an observed value is never held against it
    names: list[str] = Field(min_length=1)
    # keys of the same measure for a part of the population (小学生近视率 under 近视率): their figures
    # answer "近视率要降到多少" where the plan sets the broad one only in words
    narrower: list[str] = []


class Indicators(_Strict):
    indicators: list[Indicator]


class AnswerUnit(_Strict):
    """Question words that ask for one kind of figure, and the pattern such a figure has in the text."""

    words: list[str] = Field(min_length=1)
    pattern: str
    year: bool = False  # the figure asked is the year (到哪年): a target row answers it with its year


class Questions(_Strict):
    intents: dict[str, list[str]]
    asks_number: list[str]
    figure_asks: list[str] = []
    year_back_words: list[str] = []
    spoken_words: dict[str, str] = {}  # 啥 -> 什么: chat words read as the lexicon writes them
    keep_words: list[str] = []
    five_year_plans: dict[str, int] = {}
    status_list_words: list[str] = []
    status_beyond_words: list[str] = []
    person_titles: list[str] = []
    person_asks: list[str] = []
    person_when_words: list[str] = []
    person_now_words: list[str] = []
    off_topic_requests: list[str] = []
    target_said_words: list[str] = []
    not_compare_words: list[str] = []
    answer_units: list[AnswerUnit]
    populations: dict[str, list[str]]
    years: dict[str, int]
    query_stopwords: list[str]
    synonyms: dict[str, str]
    city_words: list[str]
    parent_words: list[str]
    area_words: list[str]
    also_words: list[str]
    both_plans_words: list[str]
    lead_words: list[str]
    all_plans_words: list[str]
    which_words: dict[str, list[str]]
    which_subjects: list[str]
    which_middle: list[str]
    go_back_words: list[str]
    anaphora_heads: list[str]
    among_words: list[str] = []
    anaphora_nouns: list[str]
    context_words: list[str]
    list_words: list[str]
    home_words: list[str] = []
    they_words: list[str] = []
    own_markers: list[str] = []
    speaker_words: list[str] = []
    asking_verbs: list[str] = []
    report_pointers: list[str] = []
    remark_asks: list[str] = []
    ask_ends: list[str] = []
    recipient_asks: list[str] = []
    recipient_verbs: list[str] = []
    wording_asks: list[str] = []
    which_things_words: list[str] = []
    each_figure_words: list[str] = []
    quantified_words: list[str] = []
    count_words: list[str]
    new_topic_words: list[str]
    owner_text_words: list[str]
    followup_words: list[str]
    several_words: dict[str, int]
    status_met_words: list[str]
    owner_whether_words: list[str]
    owner_guess_words: list[str]
    body_suffixes: list[str]
    context_ask_marks: list[str]
    generic_bodies: list[str]
    structure_words: dict[Literal['doc_number', 'issued', 'issued_when', 'who', 'who_issued', 'period'], list[str]]  # 文号/印发/谁/期限  # 这两个数: how many earlier subjects a turn points back at
    parallel_start: list[str]
    parallel_end: list[str]
    compare_followup_words: list[str]


class Section(_Strict):
    key: str
    names: list[str]
    marker: bool = False


class Sections(_Strict):
    sections: list[Section]
    header: str
    overview: str
    heading: str
    default_in_domain: str
    achieved_parts: list[str] = []


class Places(_Strict):
    alias_followed_by: list[str]
    alias_word_tags: list[str]
    never: list[str]


StatusKey = Literal["met", "not_met", "at_risk", "no_data", "qualitative"]
ObservationColumn = Literal["region", "indicator", "year", "value", "unit", "source"]


class MonitorVocab(_Strict):
    """monitor.yaml: status words, observation-table headers, the tolerance of a "≈" target."""

    statuses: dict[StatusKey, str] = Field(min_length=5)
    headers: dict[ObservationColumn, list[str]] = Field(min_length=6)
    approx_tolerance: float = Field(gt=0, lt=1)
    comparator_signs: dict[str, str]


SCHEMAS: dict[str, type[BaseModel]] = {
    "comparators": Comparators, "domains": Domains, "indicators": Indicators, "questions": Questions,
    "sections": Sections, "places": Places, "monitor": MonitorVocab,
}
