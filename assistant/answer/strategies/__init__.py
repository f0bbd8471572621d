"""One module per answer type, each `run(query, ctx) -> Draft | None` (router order: ../router.py)."""
