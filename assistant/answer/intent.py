"""What a question asks for. The router picks answer strategies by it (assistant/answer/router.py)."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    TARGET_VALUE = "target_value"  # a figure the plan sets (孕产妇死亡率控制在7/10万以下)
    TARGET_LIST = "target_list"  # every target of a domain or topic
    OWNER = "owner"  # who leads or carries a task
    MEASURE = "measure"  # what the plan will do (策略措施)
    FACT = "fact"  # a figure or fact the text states: achievements, report figures, dates
    COMPARE = "compare"  # one indicator across plans
    STRUCTURE = "structure"  # the documents themselves: counts, domains, issuer, date, 文号, period
    STATUS = "status"  # observed values against the targets: 达标了吗, 哪些有风险
    PERSON = "person"  # who holds an office (市妇儿工委主任是谁): a name the text gives, or none
    # answers that are not about the plans' content
    EMPTY = "empty"
    TOO_LONG = "too_long"
    UNSUPPORTED = "unsupported"
    OUT_OF_CORPUS = "out_of_corpus"


# The order in which question words decide the intent (assistant/lexicon/questions.yaml `intents`);
# "achieved" questions are FACT questions whose figures are read from the text, never the targets table;
# "measure_list" (都有哪些措施) asks measures before target_list's generic 都有哪些 reads it as a list of targets.
WORD_ORDER = ("status", "achieved", "structure", "compare", "owner", "fact", "measure_list", "target_list", "measure",
              "target_value")
FROM_WORDS = {"achieved": Intent.FACT, "measure_list": Intent.MEASURE}
