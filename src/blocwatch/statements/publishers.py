"""What kind of publisher each source is: a UN document, a government, an NGO, news, or a mirror/blog.

The classification is one reviewable table, ``data/publishers.csv`` (domain,
publisher, name, note), applied by domain at curation and when an event is
added. ``mirror`` covers blogs, forums, aggregators and content farms that
repost what others published: a fact resting only on mirrors is flagged.
"""

from __future__ import annotations

import csv
from functools import cache
from urllib.parse import urlsplit

from blocwatch import registry
from blocwatch.errors import NotFound

PUBLISHERS = {"un": "UN document", "government": "government", "ngo": "NGO", "news": "news",
              "mirror": "mirror or blog"}


@cache
def table() -> dict[str, dict[str, str]]:
    """``{domain: {publisher, name, note}}`` from the shipped table (checked: known publisher kinds)."""
    with registry.data_path("publishers.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for line, row in enumerate(rows, start=2):
        if row["publisher"] not in PUBLISHERS:
            raise ValueError(f"data/publishers.csv:{line}: publisher {row['publisher']!r}: expected one of "
                             + ", ".join(PUBLISHERS))
        out[row["domain"].lower()] = row
    return out


def domain_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def publisher_of(url: str) -> str:
    """The publisher kind of ``url`` (by its host, then each parent domain); NotFound if the table lacks it."""
    host = domain_of(url)
    known = table()
    parts = host.split(".")
    for i in range(len(parts) - 1):
        hit = known.get(".".join(parts[i:]))
        if hit:
            return hit["publisher"]
    raise NotFound(f"source {url}: the publisher of {host or 'this address'} is not in data/publishers.csv; "
                   f"add a row (domain, publisher: one of {', '.join(PUBLISHERS)}) or give --publisher")


def fill(session) -> int:
    """Bundled loader: set the publisher of every stored web source that has none; return how many."""
    from sqlalchemy import select

    from blocwatch.store.models import Source

    filled = 0
    for source in session.scalars(select(Source).where(Source.kind == "web", Source.publisher.is_(None))):
        try:
            source.publisher = publisher_of(source.url or "")
        except NotFound:
            continue
        filled += 1
    return filled
