"""Run the app straight from a checkout: ``python -m reader.ui.app_dev [FILES...] [--db PATH]``.

Handy until (and besides) the ``reader`` command: defaults to the bundled sample corpus and a
throw-away database under the system temp directory.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from reader.paths import sample_corpus_dir
from reader.ui.app import ReaderApp


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m reader.ui.app_dev")
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "reader-dev.json")
    parser.add_argument("--theme")
    parser.add_argument("--auto-read", action="store_true")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(sample_corpus_dir().glob("*.txt"))
    ReaderApp(paths, args.db, theme=args.theme, auto_read=args.auto_read).run()


if __name__ == "__main__":
    main()
