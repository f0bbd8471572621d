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
