"""argparse for subcommands that report to given streams and return a status.

The subcommands run inside ``main`` (and in tests) with their own output streams, so a usage
error must be written there and become an exit status, not a process exit.
"""

from __future__ import annotations

import argparse
from typing import NoReturn, TextIO

USAGE_ERROR = 2


class ParserExit(Exception):
    """Parsing ended (``--help`` or a usage error); ``status`` is the exit status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class ExitlessParser(argparse.ArgumentParser):
    def __init__(self, *, prog: str, stderr: TextIO, description: str | None = None) -> None:
        super().__init__(prog=prog, description=description)
        self._stderr = stderr

    def error(self, message: str) -> NoReturn:
        self.print_usage(self._stderr)
        self._stderr.write(f"{self.prog}: error: {message}\n")
        raise ParserExit(USAGE_ERROR)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._stderr.write(message)
        raise ParserExit(status)
