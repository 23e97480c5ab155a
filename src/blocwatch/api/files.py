"""Writing tables to files, with the suffix checked before any work is done."""

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


def table_writer(out: Path, allowed: Sequence[str] = (".csv", ".parquet")) -> Callable[[pd.DataFrame], None]:
    """A function writing a DataFrame to ``out`` in the format its suffix names (checked now)."""
    out = Path(out)
    suffix = suffix_of(out, allowed)
    if not out.parent.is_dir():
        raise InvalidInput(f"--out {out}: the folder {out.parent} does not exist")

    def write(frame: pd.DataFrame) -> None:
        if suffix == ".parquet":
            frame.to_parquet(out, index=False)
        else:
            frame.to_csv(out, index=False)

    return write
