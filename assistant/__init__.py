"""妇儿规划问答助手: exact, cited answers from women's and children's development plans.

Layers (imports only go downwards):
    ui  ->  assistant (engine, cli, evaluate, feedback, compare, guard)
        ->  assistant.answer (parse, state, router, strategies: one per answer type)
        ->  assistant.retrieve
        ->  assistant.ingest (corpus, unwrap, structure, targets, owners)
            assistant.store  (sqlite tables, vector/bm25 indexes, build cache)
        ->  base modules (text, models, lexicon, config)
"""

__version__ = "0.1.0"

import os as _os

# pypinyin's phrase dictionary (~43 MB resident, loaded at import) only chooses readings of characters inside
# multi-character words; answer/parse.py asks the initial and final of single characters, which come from the
# per-character table alone (the same result for all 194,528 code points U+0020-U+2FFFF, compared with and
# without it). Set before anything imports pypinyin; a value already in the environment is kept.
_os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
