from assistant.text import NormMap, cn_number, cn_numeral, norm, sentences


def test_norm_is_nfkc_without_whitespace():
    assert norm("孕产妇死亡率控制在 7／10 万以下") == "孕产妇死亡率控制在7/10万以下"


def test_normmap_points_back_to_the_original_words():
    original = "保障孕产妇安全，孕产妇死亡率控制在 7／10 万以下。"
    m = NormMap.of(original)
    assert m.original_of("死亡率控制在7/10万以下") == "死亡率控制在 7／10 万以下"
    assert m.find("不存在") is None


def test_chinese_numerals_both_ways():
    assert [cn_number(s) for s in ("一", "十", "十二", "二十三", "一百")] == [1, 10, 12, 23, 100]
    assert [cn_numeral(n) for n in (2, 10, 15, 21, 105)] == ["二", "十", "十五", "二十一", "一百零五"]


def test_sentences_keep_their_punctuation():
    assert sentences("甲。乙；丙") == ["甲。", "乙；", "丙"]
