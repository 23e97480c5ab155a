"""``bw.ga``: General Assembly roll calls: agreement scores, ideal points, imports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from blocwatch.api.options import (
    IdealDynamics,
    IdealMethod,
    IdealModel,
    ImportKind,
    Issue,
    Overlap,
    VoteForum,
    choose,
    choose_optional,
)
from blocwatch.errors import InvalidInput, NoData

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch
    from blocwatch.api.results import AgreementScores
    from blocwatch.ga.ideal import IdealPoints
    from blocwatch.ga.ideal.core import Method, Model
    from blocwatch.ga.importers import ImportResult


class GA:
    def __init__(self, bw: Blocwatch) -> None:
        self._bw = bw

    def sessions(self, forum: VoteForum | str = "ga") -> list[int]:
        """The sessions with stored roll calls, in order (GA session numbers; for ``forum="hrc"`` the years)."""
        from blocwatch.ga.votes import stored_sessions

        return stored_sessions(self._bw.engine, choose(VoteForum, forum, "--forum").value)

    def agreement(self, *, year: int | None = None, session: int | None = None, country: str | None = None,
                  with_: str | None = None, issue: Issue | str | None = None, important: bool = False,
                  lineage: bool = False, forum: VoteForum | str = "ga") -> AgreementScores:
        """Agreement between states per calendar year (or GA session) (``agreement``).

        Give at most one of ``year`` and ``session`` (neither: every year).
        ``country`` / ``with_`` (codes or names, former states allowed) keep
        the pairs with that state (turned so that it is ``a``) / that pair.
        ``forum``: ``ga`` or ``hrc`` (the Council: its sessions are years).
        """
        from blocwatch.api.results import AgreementScores
        from blocwatch.ga.agreement import agreement, for_country

        if year is not None and session is not None:
            raise InvalidInput("give --year or --session, not both (a session spans two calendar years)")
        if with_ and not country:
            raise InvalidInput("--with needs --country")
        a = self._bw.countries.get(country, former=True).iso3 if country else None
        b = self._bw.countries.get(with_, former=True).iso3 if with_ else None
        chosen_issue = choose_optional(Issue, issue, "--issue")
        body = choose(VoteForum, forum, "--forum").value
        if body == "hrc" and (chosen_issue or important):
            raise InvalidInput("--issue and --important are General Assembly codings (unvotes); not for --forum hrc")
        have = self.sessions(body)
        if session is not None and session not in have:
            raise InvalidInput(f"no recorded {'GA' if body == 'ga' else 'Council'} votes for "
                               f"{'session' if body == 'ga' else 'year'} {session}"
                               + (f" (stored: {have[0]}-{have[-1]})" if have else ""))
        if year is not None and have:
            first, last = (have[0] + 1945, have[-1] + 1946) if body == "ga" else (have[0], have[-1])
            if not first <= year <= last:
                raise InvalidInput(f"no recorded {'GA' if body == 'ga' else 'Council'} votes in {year} "
                                   f"(stored: {first}-{last})")
        coded = chosen_issue is not None or important
        if coded and ((session is not None and session > 74) or (year is not None and year > 2019)):
            raise InvalidInput("--issue and --important are codings of the unvotes data, which ends in 2019 "
                               "(session 74)")
        by = "session" if session is not None else "year"
        frame = agreement(self._bw.engine, by=by, issue=chosen_issue.value if chosen_issue else None,
                          important=important, lineage=lineage, forum=body,
                          years=[year] if year is not None else None,
                          sessions=[session] if session is not None else None)
        if a:
            frame = for_country(frame, a, b)
        frame = frame.sort_values(["agree", "n"], ascending=[False, False], kind="stable").reset_index(drop=True)
        return AgreementScores(by=by, period=year if year is not None else session,
                               issue=chosen_issue.value if chosen_issue else None, important=important,
                               lineage=lineage, frame=frame, forum=body)

    def ideal(self, sessions: int | Iterable[int] | None = None, *, dynamics: IdealDynamics | str = "static",
              model: IdealModel | str = "ordered", method: IdealMethod | str = "mode",
              forum: VoteForum | str = "ga") -> IdealPoints:
        """Ideal points (United States positive) per state and session, with standard errors (``ideal``).

        ``sessions``: one session, several, or None for every stored session.
        ``dynamics="dynamic"`` fits the random-walk model over all stored
        sessions (it links them) and reports the sessions asked for. The
        result's tables are copies: changing them changes nothing cached.
        """
        from blocwatch.ga.ideal import estimate

        chosen = choose(IdealDynamics, dynamics, "--dynamics")
        model_: Model = choose(IdealModel, model, "model").value
        method_: Method = choose(IdealMethod, method, "method").value
        body = choose(VoteForum, forum, "--forum").value
        wanted = [sessions] if isinstance(sessions, int) else (sorted(set(sessions)) if sessions is not None else None)
        have = self.sessions(body)
        if not have:
            raise NoData(f"no {'General Assembly' if body == 'ga' else 'Human Rights Council'} votes in the "
                         "database (import them first: blocwatch import --help)")
        missing = [s for s in wanted or [] if s not in have]
        if missing:
            raise InvalidInput(f"no recorded {'GA' if body == 'ga' else 'Council'} votes for "
                               f"{'session' if body == 'ga' else 'year'} {', '.join(map(str, missing))} "
                               f"(stored: {have[0]}-{have[-1]})")
        bw = self._bw
        version = bw.votes_version()  # ideal points read the votes alone: an edited event leaves them cached
        fitted = bw.cache.get(("ideal", body, version, tuple(wanted or ()), chosen.value, model_, method_),
                              lambda: estimate(bw.engine, wanted, model=model_, dynamics=chosen.value,
                                               method=method_, data_version=str(version), forum=body))
        return replace(fitted, positions=fitted.positions.copy(), rollcalls=fitted.rollcalls.copy())

    def import_votes(self, kind: ImportKind | str, path: Path | str, *, overlap: Overlap | str = "skip",
                     replace: bool = False, progress: bool = False) -> ImportResult:
        """Import GA roll calls from a file or folder (``import unvotes|rda|undl``); one transaction.

        A malformed file raises :class:`~blocwatch.errors.ImportFailed` naming
        file and line, and changes nothing. A roll call already stored with
        other values is refused (:class:`~blocwatch.errors.Conflict`) unless
        ``replace``; every change is counted and listed in the result.
        """
        from blocwatch.ga.importers import import_votes

        chosen = choose(ImportKind, kind)
        over = choose(Overlap, overlap, "--overlap")
        result = import_votes(self._bw.engine, chosen.value, Path(path), progress=progress, overlap=over.value,
                              replace=replace)
        self._bw.cache.clear()
        return result
