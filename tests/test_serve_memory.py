"""What a serving process on the shared stores does not load (issue 13, bench/RESULTS.md "what the serving process
holds at start"): faiss (the embedded index only) and pypinyin's phrase dictionary."""

from __future__ import annotations

import os
import subprocess
import sys

from pypinyin import Style, lazy_pinyin


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_engine_and_the_shared_retriever_import_no_faiss_and_no_phrase_dictionary():
    mods = _modules_after("import assistant.engine, assistant.retrieve_shared, assistant.answer.parse")
    assert "faiss" not in mods
    assert "pypinyin" in mods and "pypinyin.phrases_dict" not in mods


def test_single_characters_read_the_same_without_the_phrase_dictionary():
    # what answer/parse.py asks (the initial and final of one character), with the dictionary in this process
    code = ("from pypinyin import Style, lazy_pinyin\n"
            "print(repr([(lazy_pinyin(c, style=Style.INITIALS, strict=False), lazy_pinyin(c, style=Style.FINALS))"
            " for c in {chars!r}]))")
    chars = "亡忙率绿例列行长重乐的地得了着还都会"
    out = subprocess.run([sys.executable, "-c", code.format(chars=chars)], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYPINYIN_NO_PHRASES": ""})  # "": the dictionary loaded
    with_phrases = out.stdout.strip()
    assert os.environ.get("PYPINYIN_NO_PHRASES") == "1"  # set by `import assistant`
    without = repr([(lazy_pinyin(c, style=Style.INITIALS, strict=False), lazy_pinyin(c, style=Style.FINALS))
                    for c in chars])
    assert without == with_phrases
