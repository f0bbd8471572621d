"""python -m ui [--host 127.0.0.1] [--port 7860] [--corpus DIR] [--index DIR] [--auth-file FILE]

Login is optional: PLANQA_USER/PLANQA_PASSWORD, or --auth-file with one user:password a line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CONCURRENCY = 4  # engine.ask is a few ms to a second of CPU; a few at once keeps the UI responsive


def read_auth(path: str | None) -> list[tuple[str, str]] | None:
    """Accounts from --auth-file (user:password lines, # comments) or the environment; None = no login."""
    accounts: list[tuple[str, str]] = []
    if path:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            user, sep, password = line.partition(":")
            if not sep or not user.strip() or not password:
                raise SystemExit(f"{path}:{n}: expected user:password")
            accounts.append((user.strip(), password))
        if not accounts:
            raise SystemExit(f"{path}: no user:password lines")
    user, password = os.environ.get("PLANQA_USER"), os.environ.get("PLANQA_PASSWORD")
    if user and password:
        accounts.append((user, password))
    elif user or password:
        raise SystemExit("set both PLANQA_USER and PLANQA_PASSWORD, or neither")
    return accounts or None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ui", description="妇儿规划问答助手: staff web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--corpus", help="corpus folder (default: PLANQA_CORPUS or ./corpus)")
    p.add_argument("--index", help="index folder (default: PLANQA_INDEX or ./index)")
    p.add_argument("--auth-file", help="file of user:password lines; login then required")
    p.add_argument("--feedback", help="feedback SQLite file (default: PLANQA_FEEDBACK or data/feedback.sqlite)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    from assistant.config import Settings
    from assistant.engine import Engine, settle_heap
    from assistant.feedback import FeedbackUnavailable, open_feedback
    from ui.app import LoginThrottle, build_app, launch_options

    auth = read_auth(args.auth_file)
    settings = Settings.load(corpus_dir=args.corpus, index_dir=args.index)
    try:  # before the slow engine load: an unwritable feedback file fails fast, with its name
        store = open_feedback(settings, args.feedback)  # the shared database when one is set
    except FeedbackUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"loading plans from {settings.corpus_dir} (index {settings.index_dir}) ...", file=sys.stderr)
    engine = Engine.load(settings)
    app = build_app(engine, feedback=store)
    settle_heap()  # what serving keeps from here on is out of the collector's way (assistant.engine.settle_heap)
    app.queue(default_concurrency_limit=CONCURRENCY)
    app.launch(server_name=args.host, server_port=args.port, auth=LoginThrottle(auth) if auth else None,
               auth_message="请输入账号和密码" if auth else None, share=False, show_error=True,
               footer_links=["api", "settings"], **launch_options())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
