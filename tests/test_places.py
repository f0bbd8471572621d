"""The place table (assistant/places.py): aliases tagged as ordinary words in a child process give the verdicts
jieba.posseg gives in this process."""

from __future__ import annotations

from assistant import lexicon, places


def test_alias_words_tagged_in_a_child_process_match_tagging_in_process():
    full, alias = places._table()
    assert "海淀区" in full and len(alias) > 1_000
    words = places._alias_words()
    assert words is not None and words <= alias.keys()
    tags = set(lexicon.load("places")["alias_word_tags"])
    sample = sorted(alias)[::25] + sorted(words)[:20]
    assert sample and all((a in words) == places._tagged_word(a, tags) for a in sample)
    assert words and all(places._is_word(a) for a in sorted(words)[:5])


def test_a_short_name_before_a_question_verb_is_a_place():
    from assistant.places import find_places

    for text in ("回到刚才入园率，海淀定的多少？", "朝阳要求多少", "丰台是多少"):
        assert [p.full_name for p in find_places(text)][-1:] in (["海淀区"], ["朝阳区"], ["丰台区"]), text
    assert find_places("新建是多少") == [] and find_places("城区是") == []  # words, not places
