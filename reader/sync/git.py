"""Running git: the engine ``reader sync`` uses for history, transport and merging.

We drive the ``git`` program through ``subprocess`` rather than a library: it is what the
user already has and trusts, it speaks every transport (SSH, HTTPS, local paths) with the
user's own keys and credential helpers, and it is the tool they will use to look at the
history. Every call:

- never waits for a human: ``GIT_TERMINAL_PROMPT=0`` (no username/password prompts),
  SSH in batch mode unless the user configured their own SSH command, stdin from
  /dev/null, and a new session without a controlling terminal (so nothing can open
  /dev/tty to ask). Network commands also have a time limit;
- runs with ``LC_ALL=C`` so the few messages we recognise ("[rejected]") are in English;
- turns off what could outlive the call in the background (auto gc and maintenance that
  detach, the fsmonitor daemon) and repository hooks: background processes would inherit
  the reading list's lock (see below), and hooks are not ours to run on every sync.

Locks: local commands get the descriptors of the locks the sync holds (``pass_fds``), so a
git child that outlives a killed ``reader sync`` keeps them held until it is done, and a
rerun cannot start while it works. Network commands may start helpers that live on (an SSH
control master, a credential cache daemon), which must not hold our locks for minutes, so
they run under a tiny shim that holds the locks and runs git *without* them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

NETWORK_TIMEOUT = 120.0
LOCAL_TIMEOUT = 600.0

_QUIET_CONFIG = (
    "-c",
    "gc.auto=0",
    "-c",
    "maintenance.auto=false",
    "-c",
    "core.fsmonitor=false",
    "-c",
    f"core.hooksPath={os.devnull}",
)

# Holds the inherited lock descriptors (argv[1], comma-separated) while git runs without
# them; exits with git's status. Runs with -S -I: no site imports, about 15 ms.
_SHIM = """
import os, sys
fds = [int(n) for n in sys.argv[1].split(",") if n]
pid = os.fork()
if pid == 0:
    for fd in fds:
        os.close(fd)
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except OSError:
        os._exit(127)
while True:
    try:
        _, status = os.waitpid(pid, 0)
        break
    except InterruptedError:
        pass
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


class GitError(Exception):
    """A git command failed; the message names the command and quotes git's own words."""

    def __init__(self, message: str, *, stderr: str = "", returncode: int = 1) -> None:
        super().__init__(message)
        self.stderr = stderr
        self.returncode = returncode


class GitMissing(GitError):
    pass


GIT_MISSING_MESSAGE = (
    "git is not installed or not on PATH; reader sync uses git to keep the history and "
    "talk to the remote (install it with your package manager, e.g. `apt install git`)"
)


@dataclass(frozen=True, slots=True)
class Result:
    returncode: int
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", "replace").strip()


class Git:
    """git commands run in ``workdir``; ``environ`` replaces os.environ as their base."""

    def __init__(self, workdir: Path, *, environ: Mapping[str, str] | None = None) -> None:
        self.workdir = workdir
        self.lock_fds: tuple[int, ...] = ()
        env = dict(os.environ if environ is None else environ)
        env.update(
            GIT_TERMINAL_PROMPT="0",
            GCM_INTERACTIVE="never",
            LC_ALL="C",
            LANGUAGE="C",
        )
        for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
            env.pop(name, None)  # we say which repository we mean
        self.env = env

        self._config: dict[str, str] | None = None

    def config(self) -> dict[str, str]:
        """Every configured key (lower-cased section and name) -> its last value; read once
        (one process instead of one per key) and forgotten by ``set_config``."""
        if self._config is None:
            output = self.run("config", "--list", "-z", check=False).stdout
            found: dict[str, str] = {}
            for record in output.split(b"\0"):
                key, _, value = record.decode("utf-8", "replace").partition("\n")
                if key:
                    found[key.lower()] = value
            self._config = found
        return self._config

    def set_config(self, key: str, value: str) -> None:
        self.run("config", "--local", key, value)
        self.forget_config()

    def forget_config(self) -> None:
        """After a command that changes the configuration (git remote add ...)."""
        self._config = None

    def batch_ssh(self) -> None:
        """Make SSH fail instead of asking, unless the user chose their own SSH command."""
        if "GIT_SSH_COMMAND" in self.env or "GIT_SSH" in self.env:
            return
        if "core.sshcommand" in self.config():
            return
        self.env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"

    def run(
        self,
        *args: str,
        check: bool = True,
        input: bytes | None = None,
        env: Mapping[str, str] | None = None,
        network: bool = False,
        timeout: float | None = None,
    ) -> Result:
        """Run ``git ARGS``; GitError when it fails and ``check``, GitMissing without git."""
        command = ["git", *_QUIET_CONFIG, *args]
        full_env = {**self.env, **env} if env else self.env
        if network and self.lock_fds:
            fds = ",".join(str(fd) for fd in self.lock_fds)
            command = [sys.executable, "-S", "-I", "-c", _SHIM, fds, *command]
        limit = timeout if timeout is not None else (NETWORK_TIMEOUT if network else LOCAL_TIMEOUT)
        try:
            process = subprocess.Popen(
                command,
                cwd=self.workdir,
                env=full_env,
                stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=self.lock_fds,
                start_new_session=True,
            )
        except FileNotFoundError:
            if not self.workdir.is_dir():
                raise GitError(f"{self.workdir}: no such folder") from None
            raise GitMissing(GIT_MISSING_MESSAGE) from None
        try:
            stdout, stderr_bytes = process.communicate(input, timeout=limit)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise GitError(
                f"`git {_shown(args)}` gave no answer within {limit:g} s and was stopped"
            ) from None
        except BaseException:
            # Interrupted (Ctrl-C): the child keeps our locks until it ends; let it end.
            process.wait()
            raise
        stderr = stderr_bytes.decode("utf-8", "replace").strip()
        if process.returncode == 127 and network and not stderr:
            raise GitMissing(GIT_MISSING_MESSAGE)
        if check and process.returncode != 0:
            raise GitError(
                f"`git {_shown(args)}` failed: {_last_lines(stderr) or 'no message'}",
                stderr=stderr,
                returncode=process.returncode,
            )
        return Result(process.returncode, stdout, stderr)

    def text(self, *args: str) -> str:
        return self.run(*args).text


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    process.wait()


def _shown(args: Sequence[str]) -> str:
    return " ".join(arg for arg in args if "\n" not in arg)[:120]


def _last_lines(text: str, count: int = 3) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " / ".join(lines[-count:])
