"""The vocabulary files (assistant/lexicon/*.yaml) as the code reads them."""

from assistant import lexicon


def _lists(value):
    if isinstance(value, list):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _lists(v)


def test_no_list_word_is_written_in_chat_words():
    """Questions are read with 啥/咋 turned into 什么/怎么 (spoken_words), so a list word holding 啥 would
    never match: every list must be written in the written words."""
    lex = lexicon.load("questions")
    spoken = list(lex["spoken_words"])
    offending = [w for key, value in lex.items() if key != "spoken_words"
                 for words in _lists(value) for w in words if isinstance(w, str) and any(s in w for s in spoken)]
    assert offending == []


def test_narrower_indicators_are_named_by_what_sets_them_apart():
    from assistant import lexicon

    family = ["小学生近视率", "初中生近视率", "高中生近视率"]
    assert lexicon.narrower_named(["中小学生视力不良检出率"], "也是分小学初中高中吧") == family
    assert lexicon.narrower_named(["小学生近视率"], "初中高中呢") == family[1:]
    assert lexicon.narrower_named(["孕产妇死亡率"], "小学初中呢") == []  # no family


def test_indicator_names_match_without_de_and_brackets():
    from assistant import lexicon

    assert lexicon.plain("每千名儿童拥有的儿科执业（助理）医生") == "每千名儿童拥有儿科执业助理医生"
    assert lexicon.indicator_key("儿科执业助理医生") == "每千名儿童儿科执业医师数"
