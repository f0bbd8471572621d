"""Formatting helpers the strategies share (assistant/answer/compose.py)."""

from assistant.answer.compose import best_sentences, name_groups


def test_a_sentence_names_an_indicator_by_any_of_its_names(clauses_by_id):
    groups = name_groups(["普惠园覆盖率"])
    assert len(groups) == 1 and "普惠性幼儿园覆盖率" in groups[0]
    # 西城's 发展基础 states 普惠性幼儿园覆盖率达到82.49% among other achievements
    c = next(c for c in clauses_by_id.values() if c.doc_id == "xicheng" and c.section == "发展基础" and "82.49" in c.text)
    assert any("82.49" in s for s in best_sentences(c, "十三五末普惠园覆盖率实际到", ["普惠园覆盖率"], limit=1))
