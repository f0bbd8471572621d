"""Indexes over the parsed clauses: embeddings (+ on-disk cache), BM25 over jieba tokens, a FAISS
vector index persisted under the index folder. Imports only the base modules (text, models,
lexicon, config); assistant.retrieve sits on top of this package."""
