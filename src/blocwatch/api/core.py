"""The :class:`Blocwatch` object: one per database, owning the engine, the event dataset and the caches."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blocwatch.cache import Cache

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from blocwatch.api.campaigns import Campaigns
    from blocwatch.api.countries import Countries
    from blocwatch.api.events import Events
    from blocwatch.api.ga import GA
    from blocwatch.api.results import Overview
    from blocwatch.api.team import Audit, Users
    from blocwatch.api.votes import HRC, Votes
    from blocwatch.forecast.backtest import Backtest
    from blocwatch.forecast.campaign import Campaign
    from blocwatch.forecast.predict import Forecast
    from blocwatch.signatories import ParseResult
    from blocwatch.statements.dataset import Dataset
    from blocwatch.store.db import Loader


class Blocwatch:
    """The front door: ``bw = blocwatch.open()``; then ``bw.countries``, ``bw.events``, ``bw.ga``.

    The database is opened on first use (a command that only resolves names
    never touches it); its URL is checked at once. ``on_fill`` is called with
    each bundled loader before it first writes to the database, so a caller
    can say that stored data is changing. Safe to share between threads: the
    engine is made once and results are cached per instance (:class:`Cache`).
    """

    def __init__(self, url: str | None = None, *, on_fill: Callable[[Loader], None] | None = None) -> None:
        from blocwatch.api.campaigns import Campaigns
        from blocwatch.api.countries import Countries
        from blocwatch.api.events import Events
        from blocwatch.api.ga import GA
        from blocwatch.api.team import Audit, Users
        from blocwatch.api.votes import HRC, Votes
        from blocwatch.store.urls import default_url, normalise_url

        self.url = normalise_url(default_url() if url is None else url)
        self.on_fill = on_fill
        self.cache = Cache(maxsize=64)
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self.countries: Countries = Countries(self)
        self.events: Events = Events(self)
        self.ga: GA = GA(self)
        self.votes: Votes = Votes(self)
        self.hrc: HRC = HRC(self)
        self.users: Users = Users(self)
        self.audit: Audit = Audit(self)
        self.campaigns: Campaigns = Campaigns(self)

    def __repr__(self) -> str:
        return f"<Blocwatch {self.url}>"

    # ------------------------------------------------------------------ state

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, on a database with the schema and the bundled data (opened on first use)."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    from blocwatch.api.bundled import LOADERS
                    from blocwatch.store.db import connect

                    self._engine = connect(self.url, loaders=LOADERS, on_fill=self.on_fill)
        return self._engine

    def data_version(self) -> tuple[Any, ...]:
        """Changes whenever stored data changes (:func:`blocwatch.store.db.data_version`)."""
        from blocwatch.store.db import data_version

        return data_version(self.engine)

    def votes_version(self) -> tuple[Any, ...]:
        """Changes whenever the recorded votes change, not when an event is edited
        (:func:`blocwatch.store.db.votes_version`): the key of results computed from votes alone."""
        from blocwatch.store.db import votes_version

        return votes_version(self.engine)

    def dataset(self) -> Dataset:
        """Every stored event as a :class:`~blocwatch.statements.dataset.Dataset` (cached per data version)."""
        from blocwatch.statements.load import dataset

        return self.cache.get(("dataset", self.data_version()), lambda: dataset(self.engine))

    def close(self) -> None:
        """Release the database connections and forget cached results."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
        self.cache.clear()

    def __enter__(self) -> Blocwatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ questions that need no one namespace

    def parse(self, text: str, mode: str = "auto", *, where: str = "input",
              progress: Callable[[int, int], None] | None = None) -> ParseResult:
        """The list of states in a statement, press release or news text (``parse``).

        ``mode``: ``auto`` (a raw evidence file with URL lines is split into
        sources and the largest list wins) or ``text`` (the whole input as one
        text). Binary input is refused (:class:`~blocwatch.errors.InvalidInput`
        naming ``where``).
        """
        from blocwatch import signatories
        from blocwatch.api.options import ParseMode, choose

        chosen = choose(ParseMode, mode, "--mode")
        signatories.check_text(text, where)
        kwargs: dict[str, Any] = {"progress": progress} if progress is not None else {}
        if chosen is ParseMode.auto:
            return signatories.parse_any(text, **kwargs)
        return signatories.parse_signatories(text, **kwargs)

    def forecast(self, target: str, *, forum: str = "hrc", as_of: date | str | None = None, year: int | None = None,
                 members: Sequence[str] | Path | str | None = None) -> Forecast:
        """How each member would vote on a text critical of ``target``, using only what was known before
        ``as_of`` (default: today): probabilities, tally with 80 % intervals, P(adopted), swing votes
        (``forecast``; :func:`blocwatch.api.forecast.forecast`)."""
        from blocwatch.api import forecast

        return forecast.forecast(self, target, forum=forum, as_of=as_of, year=year, members=members)

    def backtest(self, *, forum: str = "hrc", start: int | date | str = 2010,
                 progress: Callable[[int, int], None] | None = None) -> Backtest:
        """Every country-text vote from ``start`` on, forecast as of the day before, scored next to the
        baselines (``backtest``)."""
        from blocwatch.api import forecast

        return forecast.backtest(self, forum=forum, start=start, progress=progress)

    def campaign(self, target: str, *, forum: str = "hrc", as_of: date | str | None = None,
                 members: Sequence[str] | Path | str | None = None) -> Campaign:
        """The states not yet on board, ranked by their chance of voting yes, with what each adds (``campaign``)."""
        from blocwatch.api import forecast

        return forecast.campaign(self, target, forum=forum, as_of=as_of, members=members)

    def overview(self) -> Overview:
        """The main job (``run``): the registry, the latest critical statement with its brief, the series."""
        from blocwatch import registry
        from blocwatch.api.results import Overview
        from blocwatch.votes.read import summary

        latest = self.events.latest("critical")
        with self.engine.connect() as conn:
            votes = summary(conn)
        return Overview(registry=registry.summary(), latest_critical=latest,
                        brief=self.events.brief(latest).to_dict() if latest else None,
                        series=self.events.series("xinjiang").to_dict(), votes=votes)


def open(url: str | None = None, *, on_fill: Callable[[Loader], None] | None = None) -> Blocwatch:  # noqa: A001
    """Open the blocwatch database at ``url`` (default: ``BLOCWATCH_DB`` or the user data folder).

    A plain file path means a SQLite file; ``postgresql://...`` uses psycopg.
    A new database is created and filled with the bundled data on first use.
    Raises :class:`~blocwatch.errors.DatabaseRefused` for a URL or file that
    blocwatch cannot or may not use.
    """
    return Blocwatch(url, on_fill=on_fill)
