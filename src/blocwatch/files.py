"""Writing results to files: the path is checked before any work is done, and nothing is overwritten unasked.

Every command that writes (``brief --out``, ``export``, ``--out`` of a table)
goes through :func:`check_output`: the folder must exist, a file must not be
a folder (or the other way round), and an existing file or a folder that is
not empty is replaced only with ``replace=True`` (the CLI's ``--replace``);
the caller reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from blocwatch.errors import InvalidInput

if TYPE_CHECKING:
    import pandas as pd


def suffix_of(out: Path, allowed: Sequence[str]) -> str:
    """The one of ``allowed`` (".csv", ".csv.gz", ".parquet", ...) that ``out`` ends with; InvalidInput if none."""
    name = out.name.lower()
    for suffix in sorted(allowed, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    raise InvalidInput(f"--out {out}: expected a file name ending in {', '.join(allowed)}")


def check_output(out: Path, *, folder: bool = False, replace: bool = False) -> bool:
    """Check that ``out`` may be written; return whether something is already there (to be replaced).

    InvalidInput (nothing written) when the parent folder is missing, when a
    file is expected and ``out`` is a folder or the other way round, and when
    ``out`` exists (a folder: holds files) and ``replace`` is false.
    """
    out = Path(out)
    parent = out.expanduser().absolute().parent
    if not parent.is_dir():
        raise InvalidInput(f"--out {out}: the folder {parent} does not exist")
    if folder and out.exists() and not out.is_dir():
        raise InvalidInput(f"--out {out}: is a file; this format writes a folder of files")
    if not folder and out.is_dir():
        raise InvalidInput(f"--out {out}: is a folder; give a file name")
    existing = out.exists() and (not folder or any(out.iterdir()))
    if existing and not replace:
        what = "holds files" if folder else "exists"
        raise InvalidInput(f"--out {out}: {what}; nothing was written (add --replace to overwrite)")
    return existing


def table_writer(out: Path, allowed: Sequence[str] = (".csv", ".parquet"), *,
                 replace: bool = False) -> Callable[[pd.DataFrame], None]:
    """A function writing a DataFrame to ``out`` in the format its suffix names (path checked now)."""
    out = Path(out)
    suffix = suffix_of(out, allowed)
    check_output(out, replace=replace)

    def write(frame: pd.DataFrame) -> None:
        if suffix == ".parquet":
            frame.to_parquet(out, index=False)
        else:
            frame.to_csv(out, index=False)

    return write
