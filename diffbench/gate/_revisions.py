"""Checkouts of the two revisions a paired run compares: git worktrees under a temporary folder.

Each side gets a detached worktree of its commit (``git worktree add --detach``) under a
temporary folder (CI runs in a fresh clone: nothing is written into the repository's tree),
and its import path: the worktree's root (or its ``src/`` where the package lives there),
followed by any extra paths the user gives for their own packages. The worktrees are removed
(``git worktree remove --force`` and ``git worktree prune``) when the context exits, even on
Ctrl-C.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .._errors import DiffbenchError


@dataclass(frozen=True)
class Side:
    """One side of a paired run.

    Attributes:
        name: ``base`` or ``head``.
        spec: the revision as the user wrote it (``HEAD~1``, ``4a30e5f``).
        commit: the full commit hash.
        root: the worktree's folder.
        pythonpath: the import path the side's worker runs with.
    """

    name: str
    spec: str
    commit: str
    root: Path
    pythonpath: tuple[str, ...]


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo``; return its stripped stdout.

    Raises:
        DiffbenchError: git is missing or the command failed (its first stderr line).
    """
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise DiffbenchError("`continuous` needs git on PATH.") from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["failed"])[0]
        raise DiffbenchError(f"git {' '.join(args)}: {first}")
    return done.stdout.strip()


def resolve(repo: Path, spec: str) -> str:
    """Return the full commit hash of ``spec`` in ``repo``.

    Raises:
        DiffbenchError: ``spec`` names no commit (the message says how to list them).
    """
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    except DiffbenchError:
        raise DiffbenchError(
            f"No commit `{spec}` in {repo} (see `git log --oneline`; a shallow clone needs "
            "`git fetch --deepen=1`)."
        ) from None


def repository_root(start: Path | None = None) -> Path:
    """Return the top folder of the git repository containing ``start`` (default: cwd)."""
    return Path(git(start or Path.cwd(), "rev-parse", "--show-toplevel"))


@contextmanager
def checkouts(
    repo: Path, specs: Sequence[tuple[str, str]], extra_path: Sequence[str] = ()
) -> Iterator[list[Side]]:
    """Check out each ``(name, revision)`` into its own worktree; yield the sides.

    Args:
        repo: the repository.
        specs: ``[("base", "HEAD~1"), ("head", "HEAD")]``.
        extra_path: folders appended to each side's import path (a user's own package); a
            relative one is taken inside each side's checkout, so each side imports its own
            revision of the package (``--path src``), an absolute one is shared.
    """
    scratch = Path(tempfile.mkdtemp(prefix="diffbench-continuous-"))
    made: list[Path] = []
    try:
        sides = []
        for name, spec in specs:
            commit = resolve(repo, spec)
            root = scratch / name
            git(repo, "worktree", "add", "--detach", "--force", str(root), commit)
            made.append(root)
            package = root / "src" if (root / "src" / "diffbench").is_dir() else root
            own = tuple(str(root / p) if not Path(p).is_absolute() else p for p in extra_path)
            sides.append(Side(name, spec, commit, root, (str(package), *own)))
        yield sides
    finally:
        for root in made:
            subprocess.run(
                ["git", "-C", str(repo), "worktree", "remove", "--force", str(root)],
                capture_output=True,
                check=False,
            )
        subprocess.run(["git", "-C", str(repo), "worktree", "prune"], capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
