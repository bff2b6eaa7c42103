"""``reader sync``: the reading list's folder is a git repository; sync it with a remote.

One sync, under a sync lock (``<git dir>/reader-sync.flock``) so two syncs never interleave:

1. commit local changes of the reading list (under the reading list's own lock, the one the
   app and ``reader annotate`` use), with a message saying what changed;
2. fetch the remote branch;
3. if the remote has commits we lack: merge them (again under the reading list's lock);
4. push; if the remote moved on meanwhile (push rejected), fetch and merge again, a bounded
   number of times.

Why the merge is done with git plumbing rather than ``git merge``: git writes merged files
into the working tree in place (unlink, create, write), so a window polling the file could
read half of it, and a kill at that moment would leave a broken reading list. Here the
merged tree is built in a private index, the reading list is replaced atomically by our own
writer (``write_atomically``), other files of the repository are updated by ``git read-tree
-m -u``, and HEAD moves last with a compare-and-swap ``update-ref``. A kill at any point
leaves either the old state or a working file that already holds the merge, which the next
sync simply commits as a local change. The reading list itself is merged by the same code
as ``reader merge-driver`` (merge.py), which git uses when the user merges by hand.

A sync never commits other files of the repository (a corpus kept beside the reading list
is the user's to commit); it does merge and push whatever the user committed.

The sync lock and the reading list's lock are inherited by the git processes started under
them (see git.py), so a git child outliving a killed sync keeps them until it ends; lock
files a *killed git* left behind (``index.lock`` ...) are therefore stale whenever we hold
the sync lock, and are removed. (A git command the user runs by hand in the same folder at
that very moment could lose its lock file: don't run both at once.)
"""

from __future__ import annotations

import contextlib
import shlex
import socket
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reader.storage.atomic_file import remove_stale_temporaries, write_atomically
from reader.storage.backups import rotate_backups
from reader.storage.locking import DEFAULT_TIMEOUT, LockTimeout, exclusive_lock_fd, lock_path_for
from reader.storage.schema import ANNOTATIONS_TABLE, HOST_KEY, SchemaProblem, Tables, empty_tables
from reader.sync.changes import ChangeCounts, describe_changes
from reader.sync.git import NETWORK_TIMEOUT, Git, GitError
from reader.sync.merge import MergeStats, decode_tables, encode_tables, merge_tables

REMOTE = "origin"
DEFAULT_BRANCH = "main"
MAX_ATTEMPTS = 5
SYNC_LOCK_NAME = "reader-sync.flock"
TEMP_INDEX_NAME = "reader-sync.index"
DRIVER_NAME = "reader"
# Another sync may be mid-way through a slow fetch; wait for it rather than fail at once.
SYNC_LOCK_TIMEOUT = NETWORK_TIMEOUT + 30.0
_GIT_LOCK_FILES = (
    "index.lock",
    "HEAD.lock",
    "ORIG_HEAD.lock",
    "FETCH_HEAD.lock",
    "config.lock",
    "packed-refs.lock",
    "shallow.lock",
)


class SyncError(Exception):
    """Sync could not run or had to stop; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class SyncReport:
    """The outcome of one sync. ``in_sync``: local and remote agree (exit status 0)."""

    committed: int = 0  # papers (and other entries) whose local changes this sync committed
    commit_message: str = ""
    incoming: int = 0  # papers (and other entries) that changed here because of the remote
    incoming_description: str = ""
    remote_host: str | None = None  # the machine most incoming changes were made on
    conflicts: int = 0  # papers both sides changed in the same field (resolved, none lost)
    pushed: bool = False
    in_sync: bool = False
    remote: str | None = None
    problem: str | None = None  # why local and remote do not agree
    attempts: int = 0

    def summary(self) -> str:
        """One line for a status bar or a terminal, e.g. "3 changes from workstation"."""
        parts: list[str] = []
        if self.incoming:
            source = self.remote_host or "the remote"
            parts.append(f"{_plural(self.incoming, 'change')} from {source}")
        if self.conflicts:
            parts.append(f"{_plural(self.conflicts, 'conflicting edit')} merged")
        if self.in_sync:
            if self.pushed and self.committed:
                parts.append(f"sent {_plural(self.committed, 'change')}")
            elif self.pushed:
                parts.append("pushed")
            if not parts:
                parts.append("up to date")
            return "; ".join(parts)
        if self.committed:
            parts.append(f"committed {_plural(self.committed, 'change')} locally")
        parts.append(f"nothing was pushed: {self.problem or 'unknown problem'}")
        return "; ".join(parts)


@dataclass(frozen=True, slots=True)
class InitReport:
    top: Path
    created: bool  # a new repository was made (else an existing one is used)
    remote: str | None

    def summary(self) -> str:
        what = "created a git repository" if self.created else "using the git repository"
        remote = f"; remote {self.remote}" if self.remote else "; no remote yet"
        return f"{what} at {self.top}; merge driver registered{remote}"


@contextlib.contextmanager
def _as_sync_error() -> Iterator[None]:
    """git's and the file system's failures, as the one error callers of sync handle."""
    try:
        yield
    except GitError as error:
        raise SyncError(str(error)) from None
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        raise SyncError(f"{where}{error.strerror or error}") from None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- the repository -----------------------------------------------------------------------


@dataclass(slots=True)
class _Repo:
    git: Git
    db: Path
    top: Path
    gitdir: Path
    rel: str
    branch: str
    lock_timeout: float
    sync_fd: int = -1
    host: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    # Reading lists already read and checked in this sync, by blob id (10^5 annotations
    # take most of a second to parse and check; a sync looks at some versions twice).
    known: dict[str, Tables] = field(default_factory=dict)
    local: Tables | None = None  # the working file as last committed or installed

    @property
    def folder(self) -> Path:
        return self.db.parent

    def rel_of(self, path: Path) -> str:
        return path.relative_to(self.top).as_posix()

    @property
    def managed(self) -> list[str]:
        """Paths a sync commits: the reading list and the two files ``--init`` writes."""
        paths = [self.rel]
        for name in (".gitattributes", ".gitignore"):
            if (self.folder / name).exists():
                paths.append(self.rel_of(self.folder / name))
        return paths


def _db_path(db_path: Path | str) -> Path:
    path = Path(db_path).expanduser()
    if path.is_symlink():
        path = path.resolve()  # as ReadingList.open does: the file lives at the target
    return path.parent.resolve() / path.name


def _open_repo(
    db_path: Path | str, environ: Mapping[str, str] | None, lock_timeout: float
) -> _Repo:
    db = _db_path(db_path)
    if not db.parent.is_dir():
        raise SyncError(f"{db}: the reading list's folder does not exist")
    git = Git(db.parent, environ=environ)
    found = git.run("rev-parse", "--show-toplevel", "--absolute-git-dir", check=False)
    if found.returncode != 0:
        raise SyncError(
            f"{db.parent} is not a git repository yet; run `reader sync --init --db {db}` "
            "(add --remote URL to share it)"
        )
    top_text, gitdir_text = found.text.splitlines()[:2]
    top, gitdir = Path(top_text).resolve(), Path(gitdir_text)
    branch = git.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if branch.returncode != 0:
        raise SyncError(f"{top}: HEAD is not on a branch; check one out (git switch main)")
    repo = _Repo(
        git=git,
        db=db,
        top=top,
        gitdir=gitdir,
        rel=db.relative_to(top).as_posix(),
        branch=branch.text,
        lock_timeout=lock_timeout,
    )
    repo.host = _host_name(git)
    _set_identity(repo)
    return repo


def _host_name(git: Git) -> str:
    """``git config reader.host`` if set (tests, or a nicer name), else the hostname."""
    name = git.config().get("reader.host") or socket.gethostname()
    clean = "".join(ch for ch in name if ch.isprintable()).strip()[:100]
    return clean or "unknown host"


def _set_identity(repo: _Repo) -> None:
    """Commits need an author; a machine with none configured commits as reader sync."""
    if "user.email" in repo.git.config():
        return
    env = repo.git.env
    if "GIT_AUTHOR_EMAIL" in env and "GIT_COMMITTER_EMAIL" in env:
        return
    email = f"reader-sync@{''.join(c for c in repo.host if c.isalnum() or c in '.-') or 'host'}"
    for role in ("AUTHOR", "COMMITTER"):
        env.setdefault(f"GIT_{role}_NAME", f"reader sync ({repo.host})")
        env.setdefault(f"GIT_{role}_EMAIL", email)


# -- init ---------------------------------------------------------------------------------


def driver_command() -> str:
    """The merge driver command git runs (through a shell) with %O %A %B filled in.

    The absolute path of the interpreter running us, with ``-m reader``, not plain
    ``reader``: git runs drivers with whatever PATH it was started with (a GUI client,
    cron, an IDE), where a virtualenv's ``reader`` script is usually not on PATH, and the
    interpreter path pins the very installation that set the driver up. ``reader sync``
    re-registers it on every run, so a moved installation heals itself.
    """
    if not sys.executable:
        return "reader merge-driver %O %A %B"
    return f"{shlex.quote(sys.executable)} -m reader merge-driver %O %A %B"


def _pattern(name: str) -> str:
    """A gitattributes/gitignore pattern for exactly this file name in its folder."""
    escaped = "".join("\\" + ch if ch in "*?[]\\!#" else ch for ch in name)
    # Patterns end at whitespace and cannot quote it portably; '?' matches it (and, in a
    # folder that has two names differing only there, both; harmless for these files).
    return "/" + "".join("?" if ch.isspace() else ch for ch in escaped)


def _ensure_lines(path: Path, header: str, lines: list[str]) -> bool:
    """Append the missing ``lines`` (under ``header``) to a text file; True if it changed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    present = set(text.splitlines())
    missing = [line for line in lines if line not in present]
    if not missing:
        return False
    prefix = "" if not text or text.endswith("\n") else "\n"
    block = "\n".join([header, *missing]) + "\n"
    write_atomically(path, (text + prefix + block).encode("utf-8"))
    return True


def _write_setup_files(repo: _Repo) -> bool:
    """Write the .gitattributes and .gitignore lines that are missing; True if any was."""
    name = repo.db.name
    attributes = _ensure_lines(
        repo.folder / ".gitattributes",
        "# reader: merge the reading list field by field (reader merge-driver)",
        [f"{_pattern(name)} merge={DRIVER_NAME}"],
    )
    ignores = _ensure_lines(
        repo.folder / ".gitignore",
        "# reader: backups, lock and damaged copies of the reading list stay on this machine",
        [
            f"{_pattern(name)}.bak*",
            f"{_pattern(name)}.lock",
            f"{_pattern(name)}.damaged-*",
            f"/.{_pattern(name)[1:]}.*.tmp",
        ],
    )
    return attributes or ignores


def _register_driver(repo: _Repo, *, verify: bool = True) -> None:
    """Register the driver in the repository's config (again, if the installation moved);
    ``verify``: ask git whether .gitattributes really applies it to the reading list."""
    git = repo.git
    wanted = {
        f"merge.{DRIVER_NAME}.name": "reader reading list (field by field)",
        f"merge.{DRIVER_NAME}.driver": driver_command(),
    }
    for key, value in wanted.items():
        if git.config().get(key) != value:
            git.set_config(key, value)
            verify = True
    if not verify:
        return
    check = git.run("check-attr", "merge", "--", repo.rel).text
    if not check.endswith(f": merge: {DRIVER_NAME}"):
        raise SyncError(
            f"{repo.folder / '.gitattributes'}: git does not apply the reader merge driver to "
            f"{repo.rel} ({check or 'no answer'}); another .gitattributes line may override it"
        )


def init_sync(
    db_path: Path | str,
    *,
    remote: str | None = None,
    environ: Mapping[str, str] | None = None,
    lock_timeout: float = DEFAULT_TIMEOUT,
) -> InitReport:
    """Make the reading list's folder a git repository (or use the one it is in), register
    the merge driver, and set the remote ``origin`` when ``remote`` is given.

    Does not sync; ``sync_reading_list`` does (and creates the first commit). SyncError
    when it cannot.
    """
    with _as_sync_error():
        return _init(db_path, remote, environ, lock_timeout)


def _init(
    db_path: Path | str,
    remote: str | None,
    environ: Mapping[str, str] | None,
    lock_timeout: float,
) -> InitReport:
    db = _db_path(db_path)
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SyncError(f"cannot create {db.parent}: {error.strerror or error}") from None
    git = Git(db.parent, environ=environ)
    git.run("--version")  # GitMissing, with its clear message, before anything else
    created = git.run("rev-parse", "--show-toplevel", check=False).returncode != 0
    if created:
        git.run("init", "--quiet", str(db.parent))
        branch = _remote_default_branch(git, remote) if remote else None
        git.run("symbolic-ref", "HEAD", f"refs/heads/{branch or DEFAULT_BRANCH}")
    if not db.exists():
        write_atomically(db, encode_tables(empty_tables()))
    repo = _open_repo(db, environ, lock_timeout)
    _write_setup_files(repo)
    _register_driver(repo)
    if remote:
        has_origin = git.run("remote", "get-url", REMOTE, check=False).returncode == 0
        git.run("remote", "set-url" if has_origin else "add", REMOTE, remote)
    configured = git.run("remote", "get-url", REMOTE, check=False)
    return InitReport(repo.top, created, configured.text if configured.returncode == 0 else None)


def _remote_default_branch(git: Git, remote: str) -> str | None:
    """The branch the remote's HEAD names, so a second machine joins the same branch."""
    git.batch_ssh()
    found = git.run("ls-remote", "--symref", remote, "HEAD", network=True, check=False)
    for line in found.text.splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            return line[len("ref: refs/heads/") : -len("\tHEAD")]
    return None


# -- sync -----------------------------------------------------------------------------------


class _Offline(Exception):
    pass


def sync_reading_list(
    db_path: Path | str,
    *,
    remote: str | None = None,
    environ: Mapping[str, str] | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    lock_timeout: float = DEFAULT_TIMEOUT,
    sync_lock_timeout: float = SYNC_LOCK_TIMEOUT,
    before_push: Callable[[int], None] | None = None,
) -> SyncReport:
    """Commit local changes, fetch, merge, push; see the module docstring.

    ``remote`` sets the URL of ``origin`` first. ``environ`` replaces os.environ for git.
    ``before_push(attempt)`` is called before each push (tests use it to move the remote).
    Raises SyncError (GitError and GitMissing are subclasses of neither, but are caught and
    turned into SyncError here) when sync cannot run; offline is a report, not an error.
    """
    with _as_sync_error():
        return _sync(
            db_path, remote, environ, max_attempts, lock_timeout, sync_lock_timeout, before_push
        )


def _sync(
    db_path: Path | str,
    remote: str | None,
    environ: Mapping[str, str] | None,
    max_attempts: int,
    lock_timeout: float,
    sync_lock_timeout: float,
    before_push: Callable[[int], None] | None,
) -> SyncReport:
    repo = _open_repo(db_path, environ, lock_timeout)
    git = repo.git
    with contextlib.ExitStack() as stack:
        try:
            repo.sync_fd = stack.enter_context(
                exclusive_lock_fd(repo.gitdir / SYNC_LOCK_NAME, sync_lock_timeout)
            )
        except LockTimeout as timeout:
            raise SyncError(f"another reader sync is still running: {timeout}") from None
        git.lock_fds = (repo.sync_fd,)
        stack.callback(setattr, git, "lock_fds", ())
        _remove_stale_git_state(repo.gitdir)
        _register_driver(repo, verify=_write_setup_files(repo))
        if remote:
            has_origin = git.run("remote", "get-url", REMOTE, check=False).returncode == 0
            git.run("remote", "set-url" if has_origin else "add", REMOTE, remote)
            git.forget_config()
        with _reading_list_lock(repo):
            committed = _commit_local(repo)
            seen = _signature(repo.db)
        url = git.config().get(f"remote.{REMOTE}.url")
        state = _State(committed=committed, remote=url)
        if url is None:
            return state.report(problem="no remote is set up (reader sync --init --remote URL)")
        git.batch_ssh()
        for attempt in range(1, max_attempts + 1):
            state.attempts = attempt
            try:
                theirs = _fetch(repo)
            except _Offline as offline:
                return state.report(problem=f"cannot reach {url}: {offline}")
            if theirs is not None and not _is_ancestor(git, theirs, "HEAD"):
                with _reading_list_lock(repo):
                    if _signature(repo.db) != seen:  # the app saved a change meanwhile
                        state.committed_more(_commit_local(repo))
                    state.incoming_from(*_merge_remote(repo, theirs))
                    seen = _signature(repo.db)
            head = git.text("rev-parse", "HEAD")
            if head == theirs:
                return state.report(in_sync=True)
            if before_push is not None:
                before_push(attempt)
            try:
                pushed = _push(repo)
            except _Offline as offline:
                return state.report(problem=f"cannot push to {url}: {offline}")
            if pushed:
                state.pushed = True
                with contextlib.suppress(GitError):
                    git.run("update-ref", f"refs/remotes/{REMOTE}/{repo.branch}", head)
                _collect_garbage(git)
                return state.report(in_sync=True)
        return state.report(
            problem=f"the remote kept changing while we merged; gave up after {max_attempts} "
            "tries (run reader sync again)"
        )
    raise AssertionError("unreachable")  # ExitStack does not swallow exceptions


@dataclass(slots=True)
class _State:
    committed: ChangeCounts | None
    remote: str | None
    incoming: ChangeCounts | None = None
    conflicts: int = 0
    pushed: bool = False
    attempts: int = 0
    extra_committed: int = 0

    def committed_more(self, counts: ChangeCounts | None) -> None:
        if counts is not None:
            self.extra_committed += counts.total

    def incoming_from(self, counts: ChangeCounts, conflicts: int) -> None:
        if self.incoming is None:
            self.incoming = counts
        else:  # a retry after a rejected push: add what came in this time
            self.incoming.changed_papers |= counts.changed_papers
            self.incoming.other_documents += counts.other_documents
            self.incoming.hosts.update(counts.hosts)
        self.conflicts += conflicts

    def report(self, *, in_sync: bool = False, problem: str | None = None) -> SyncReport:
        incoming = self.incoming
        return SyncReport(
            committed=(self.committed.total if self.committed else 0) + self.extra_committed,
            commit_message=self.committed.describe() if self.committed else "",
            incoming=incoming.total if incoming else 0,
            incoming_description=incoming.describe() if incoming else "",
            remote_host=incoming.main_host() if incoming else None,
            conflicts=self.conflicts,
            pushed=self.pushed,
            in_sync=in_sync,
            remote=self.remote,
            problem=problem,
            attempts=self.attempts,
        )


@contextlib.contextmanager
def _reading_list_lock(repo: _Repo) -> Iterator[None]:
    """The lock the app and ``reader annotate`` take for every change (their git children
    inherit it too)."""
    try:
        with exclusive_lock_fd(lock_path_for(repo.db), repo.lock_timeout, owner_of=repo.db) as fd:
            repo.git.lock_fds = (repo.sync_fd, fd)
            try:
                yield
            finally:
                repo.git.lock_fds = (repo.sync_fd,)
    except LockTimeout as timeout:
        raise SyncError(f"{repo.db}: {timeout}; nothing was changed") from None


def _remove_stale_git_state(gitdir: Path) -> None:
    """Lock files of a git that was killed (see the module docstring), our temp index."""
    candidates = [gitdir / name for name in _GIT_LOCK_FILES]
    candidates += [gitdir / TEMP_INDEX_NAME, gitdir / (TEMP_INDEX_NAME + ".lock")]
    candidates += list(gitdir.glob("next-index-*.lock"))
    for folder in ("refs", "logs"):
        if (gitdir / folder).is_dir():
            candidates += list((gitdir / folder).rglob("*.lock"))
    for path in candidates:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            path.unlink()


# -- committing -----------------------------------------------------------------------------


def _read_local(repo: _Repo) -> Tables:
    """The reading list file, checked; created empty if missing. Under its lock."""
    remove_stale_temporaries(repo.db)
    try:
        content = repo.db.read_bytes()
    except FileNotFoundError:
        tables = empty_tables()
        write_atomically(repo.db, encode_tables(tables))
        return tables
    except OSError as error:
        raise SyncError(f"{repo.db}: cannot be read ({error.strerror or error})") from None
    try:
        return decode_tables(content)
    except ValueError as problem:
        raise SyncError(
            f"{repo.db}: {problem}; nothing was committed or merged. `reader restore --db "
            f"{repo.db}` puts back the newest valid backup"
        ) from None


def _tables_at(repo: _Repo, commit: str) -> Tables | None:
    """The reading list as ``commit`` has it; None when it has none (or an invalid one)."""
    _, sha = _tree_entry(repo.git, commit, repo.rel)
    if not sha:
        return None
    try:
        return _blob_tables(repo, sha, empty_ok=True)
    except ValueError:
        return None


def _blob_tables(repo: _Repo, sha: str, *, empty_ok: bool = False) -> Tables:
    """The reading list stored as blob ``sha``, checked (ValueError if it is not one)."""
    tables = repo.known.get(sha)
    if tables is None:
        content = _blob(repo.git, sha)
        tables = decode_tables(content, empty_ok=empty_ok, like=repo.local)
        repo.known[sha] = tables
    return tables


def _blob(git: Git, sha: str) -> bytes:
    return git.run("cat-file", "blob", sha).stdout


def _signature(path: Path) -> tuple[int, int, int, int] | None:
    """What changes whenever the file is saved (every save is a rename of a new file)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _has_head(git: Git) -> bool:
    return git.run("rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode == 0


def _commit_local(repo: _Repo) -> ChangeCounts | None:
    """Commit the reading list (and the set-up files) if they differ from HEAD; returns what
    changed, None when nothing was committed. Under the reading list's lock."""
    git = repo.git
    tables = _read_local(repo)
    has_head = _has_head(git)
    before = _tables_at(repo, "HEAD") if has_head else None
    changes = describe_changes(before, tables)
    if _stamp_host(tables, changes, repo.host):
        with contextlib.suppress(OSError):
            rotate_backups(repo.db)
        write_atomically(repo.db, encode_tables(tables))
    paths = repo.managed
    git.run("add", "--", *paths)
    repo.local = tables
    repo.known[git.text("rev-parse", f":{repo.rel}")] = tables
    if (
        has_head
        and git.run("diff", "--cached", "--quiet", "HEAD", "--", *paths, check=False).returncode
        == 0
    ):
        return None
    described = changes.describe()
    if described == "no changes":
        described = "reader sync: set up" if not has_head else "reader sync: updated times"
    message = f"{described}\n\nreader sync from {repo.host}"
    git.run("commit", "--quiet", "--no-verify", "-m", message, "--", *paths)
    return changes


def _stamp_host(tables: Tables, changes: ChangeCounts, host: str) -> bool:
    """Record this machine on each annotation it changed (see schema.HOST_KEY)."""
    if not changes.changed_papers:
        return False
    stamped = False
    for doc in tables.get(ANNOTATIONS_TABLE, {}).values():
        if doc["paper_id"] in changes.changed_papers and doc.get(HOST_KEY) != host:
            doc[HOST_KEY] = host
            stamped = True
    return stamped


# -- fetching, merging, pushing ---------------------------------------------------------------


def _fetch(repo: _Repo) -> str | None:
    """Fetch the remote branch; its commit, None if the remote has no such branch yet."""
    branch = repo.branch
    result = repo.git.run(
        "fetch",
        "--quiet",
        "--no-tags",
        REMOTE,
        f"+refs/heads/{branch}:refs/remotes/{REMOTE}/{branch}",
        network=True,
        check=False,
    )
    if result.returncode != 0:
        if "couldn't find remote ref" in result.stderr:
            return None
        raise _Offline(_git_words(result.stderr))
    return repo.git.text("rev-parse", f"refs/remotes/{REMOTE}/{branch}")


def _push(repo: _Repo) -> bool:
    """Push HEAD; False when rejected because the remote moved on, _Offline on failure."""
    result = repo.git.run(
        "push", "--porcelain", REMOTE, f"HEAD:refs/heads/{repo.branch}", network=True, check=False
    )
    if result.returncode == 0:
        return True
    output = result.stdout.decode("utf-8", "replace")
    if any(line.startswith("!") and "[rejected]" in line for line in output.splitlines()):
        return False
    raise _Offline(_git_words(result.stderr + "\n" + output))


def _git_words(text: str) -> str:
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.startswith(("To ", "Done"))
    ]
    return " / ".join(lines[-3:]) or "git gave no reason"


def _is_ancestor(git: Git, maybe_ancestor: str, commit: str) -> bool:
    result = git.run("merge-base", "--is-ancestor", maybe_ancestor, commit, check=False)
    return result.returncode == 0


def _merge_remote(repo: _Repo, theirs: str) -> tuple[ChangeCounts, int]:
    """Bring ``theirs`` into HEAD and the working tree. Under the reading list's lock,
    right after committing local changes (so the working file equals HEAD's)."""
    git = repo.git
    ours = git.text("rev-parse", "HEAD")
    stats: MergeStats | None = None
    if _is_ancestor(git, ours, theirs):
        new = theirs
    else:
        bases = git.run("merge-base", "--all", ours, theirs, check=False).text.split()
        # Several bases only after criss-cross merges; the first is git's best pick, and
        # with an older base more edits look concurrent, which the merge resolves safely.
        base = bases[0] if bases else None
        tree, stats = _merge_trees(repo, base, ours, theirs)
        message = f"reader sync: merge {REMOTE}/{repo.branch} on {repo.host}"
        new = git.text("commit-tree", tree, "-p", ours, "-p", theirs, "-m", message)
    before = _tables_at(repo, ours)
    after = _install(repo, ours, new)
    incoming = describe_changes(before, after)
    if stats is not None and stats.hosts:
        # A merged annotation carries the host of whichever edit won; who sent the changes
        # is better told by the remote's documents that the merge took.
        incoming.hosts = Counter(stats.hosts)
    return incoming, stats.conflicts if stats is not None else 0


def _ls_tree(git: Git, commit: str | None) -> dict[str, tuple[str, str]]:
    """path -> (mode, object id) of every file in ``commit`` (empty for None)."""
    if commit is None:
        return {}
    output = git.run("ls-tree", "-r", "-z", "--full-tree", commit).stdout
    entries: dict[str, tuple[str, str]] = {}
    for record in output.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, sha = meta.decode().split(" ")
        entries[path.decode("utf-8", "surrogateescape")] = (mode, sha)
    return entries


def _merge_trees(repo: _Repo, base: str | None, ours: str, theirs: str) -> tuple[str, MergeStats]:
    """The merged tree's id, and what the reading list's merge did."""
    git = repo.git
    b_files, o_files, t_files = _ls_tree(git, base), _ls_tree(git, ours), _ls_tree(git, theirs)
    merged: dict[str, tuple[str, str]] = {}
    stats = MergeStats()
    for path in sorted(set(o_files) | set(t_files) | set(b_files)):
        b, o, t = b_files.get(path), o_files.get(path), t_files.get(path)
        if o == t or t == b:
            chosen = o
        elif o == b:
            chosen = t
        elif path == repo.rel and o is not None and t is not None:
            chosen, stats = _merge_reading_list(repo, b, o, t)
        elif o is not None and t is not None:
            chosen = _merge_text_file(repo, path, b, o, t)  # b None: added on both sides
        else:
            raise SyncError(
                f"{path} was changed on one machine and deleted on the other; "
                f"settle it with git (git merge {REMOTE}/{repo.branch}) and sync again"
            )
        if chosen is not None:
            merged[path] = chosen
    index = repo.gitdir / TEMP_INDEX_NAME
    index.unlink(missing_ok=True)
    env = {"GIT_INDEX_FILE": str(index)}
    records = b"".join(
        f"{mode} {sha}\t".encode() + path.encode("utf-8", "surrogateescape") + b"\0"
        for path, (mode, sha) in merged.items()
    )
    try:
        git.run("update-index", "--add", "-z", "--index-info", input=records, env=env)
        tree = git.run("write-tree", env=env).text
    finally:
        index.unlink(missing_ok=True)
    return tree, stats


def _merge_reading_list(
    repo: _Repo, base: tuple[str, str] | None, ours: tuple[str, str], theirs: tuple[str, str]
) -> tuple[tuple[str, str], MergeStats]:
    git = repo.git
    sides: list[Tables] = []
    for where, entry in (("HEAD", ours), (f"{REMOTE}/{repo.branch}", theirs)):
        try:
            sides.append(_blob_tables(repo, entry[1]))
        except ValueError as problem:
            raise SyncError(
                f"the reading list {repo.rel} in {where} is {problem}; nothing was merged and "
                "your reading list is untouched"
            ) from None
    o_tables, t_tables = sides
    try:
        b_tables = _blob_tables(repo, base[1], empty_ok=True) if base else None
    except ValueError:
        b_tables = None  # a broken ancestor: every difference counts as concurrent (safe)
    try:
        # Every document the merge builds is checked as loading would check it.
        merged, stats = merge_tables(b_tables, o_tables, t_tables)
    except SchemaProblem as problem:
        raise SyncError(f"the merge would not give a valid reading list ({problem})") from None
    content = encode_tables(merged)
    sha = git.run("hash-object", "-w", "--stdin", "--no-filters", input=content).text
    repo.known[sha] = merged
    return (ours[0], sha), stats


def _merge_text_file(
    repo: _Repo,
    path: str,
    base: tuple[str, str] | None,
    ours: tuple[str, str],
    theirs: tuple[str, str],
) -> tuple[str, str]:
    """Another file changed on both sides: git's line merge, or stop with a clear message."""
    git = repo.git
    folder = repo.gitdir / "reader-sync-merge"
    folder.mkdir(exist_ok=True)
    names = []
    try:
        for label, entry in (("base", base), ("ours", ours), ("theirs", theirs)):
            target = folder / label
            target.write_bytes(_blob(git, entry[1]) if entry else b"")
            names.append(str(target))
        result = git.run("merge-file", "-p", names[1], names[0], names[2], check=False)
    finally:
        for name in names:
            Path(name).unlink(missing_ok=True)
    if result.returncode != 0 or ours[0] != theirs[0]:
        raise SyncError(
            f"{path} was changed on both machines in ways git cannot merge line by line; "
            f"merge it by hand (git merge {REMOTE}/{repo.branch}) and sync again"
        )
    sha = git.run("hash-object", "-w", "--stdin", "--no-filters", input=result.stdout).text
    return (ours[0], sha)


def _install(repo: _Repo, old: str, new: str) -> Tables:
    """Make the index, the working tree and HEAD show ``new`` (from ``old``); returns the
    reading list it holds. The reading list file is replaced atomically; HEAD moves last."""
    git = repo.git
    mode, sha = _tree_entry(git, new, repo.rel)
    if not sha:
        raise SyncError(
            f"{REMOTE}/{repo.branch} has no {repo.rel}; nothing was merged (was it deleted on "
            "another machine? restore it there with git)"
        )
    try:
        tables = _blob_tables(repo, sha)
    except ValueError as problem:
        raise SyncError(
            f"the remote's reading list ({repo.rel} in {REMOTE}/{repo.branch}) is {problem}; "
            "nothing was merged and your reading list is untouched"
        ) from None
    content = _blob(git, sha)
    _, old_sha = _tree_entry(git, old, repo.rel)
    git.run("update-index", "--cacheinfo", f"{mode},{sha},{repo.rel}")
    moved = git.run("read-tree", "-m", "-u", old, new, check=False)
    if moved.returncode != 0:
        if old_sha:
            git.run("update-index", "--cacheinfo", f"{mode},{old_sha},{repo.rel}")
        raise SyncError(
            f"git could not update the other files of {repo.top} "
            f"({_git_words(moved.stderr)}); commit or stash your own changes to them and sync "
            "again. Your reading list is untouched"
        )
    current = repo.db.read_bytes() if repo.db.exists() else b""
    if current != content:
        with contextlib.suppress(OSError):
            rotate_backups(repo.db)
        write_atomically(repo.db, content)
    git.run("update-index", "--", repo.rel)
    git.run("update-ref", "-m", "reader sync", "HEAD", new, old)
    repo.local = tables
    return tables


def _tree_entry(git: Git, commit: str, path: str) -> tuple[str, str]:
    """(mode, blob id) of ``path`` in ``commit``; the blob id is "" when there is none."""
    output = git.run("ls-tree", "-z", commit, "--", path).stdout
    if not output:
        return "100644", ""
    mode, _kind, sha = output.split(b"\t", 1)[0].decode().split(" ")
    return (mode if mode in ("100644", "100755") else "100644"), sha


def _collect_garbage(git: Git) -> None:
    """Let git pack loose objects now and then (each sync adds a full copy of the file),
    in the foreground: a detached gc would hold our locks (it inherits them)."""
    with contextlib.suppress(GitError):
        git.run("-c", "gc.auto=6700", "-c", "gc.autoDetach=false", "gc", "--auto", "--quiet")


__all__ = [
    "InitReport",
    "SyncError",
    "SyncReport",
    "driver_command",
    "init_sync",
    "sync_reading_list",
]
