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
