"""``bw.countries``: the registry of UN member and observer states, name resolution, a state's record."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import TYPE_CHECKING

from blocwatch.api.options import Group, choose_optional

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch
    from blocwatch.api.results import CountryHistory
    from blocwatch.names import Resolution
    from blocwatch.registry import Country


class Countries:
    def __init__(self, bw: Blocwatch) -> None:
        self._bw = bw

    def list(self, group: Group | str | None = None, *, former: bool = False) -> builtins.list[Country]:
        """Member and observer states (and former states with ``former``), optionally one regional group.

        A group keeps the states counted in it and those that also take part
        in it (Türkiye is counted in weog and also sits in asia_pacific).
        """
        from blocwatch import registry

        chosen = choose_optional(Group, group, "--group")
        return registry.countries(chosen.value if chosen else None, include_former=former)

    def resolve(self, names: Sequence[str], *, former: bool = False) -> builtins.list[Resolution]:
        """Which state each name denotes, in any of the six UN languages (unresolved ones say why)."""
        from blocwatch import names as resolver

        return resolver.resolve_many(list(names), include_former=former)

    def get(self, name: str, *, former: bool = False) -> Country:
        """The state a code or name denotes; :class:`~blocwatch.errors.NotFound` with close matches otherwise.

        Former states (USSR, Yugoslavia, ...) only with ``former``; without it
        the error says to add ``--former``.
        """
        from blocwatch import names as resolver
        from blocwatch import registry
        from blocwatch.errors import NotFound

        code = name.strip()
        if len(code) == 3 and code.isascii() and code.isupper() and registry.exists(code):
            exact = registry.get(code)  # an exact code: no need to build the name index
            if former or exact.current:
                return exact
        found = resolver.try_resolve(name, include_former=former)
        if found.iso3 is not None:
            return registry.get(found.iso3)
        if found.reason == "former_state":
            iso3 = resolver.try_resolve(name, include_former=True).iso3
            country = registry.get(iso3) if iso3 else None
            if country is not None:
                raise NotFound(f"{name!r} is a former state ({country.name}, until "
                               f"{country.ended.isoformat() if country.ended else '?'}); add --former to ask about "
                               "it" + (f", or ask about {', '.join(country.successors)}" if country.successors else ""),
                               close_matches=list(country.successors))
        raise NotFound(found.message or f"{name!r} is not a state blocwatch knows",
                       close_matches=[m.iso3 for m in found.alternatives])

    def history(self, name: str, *, former: bool = False, series: str | None = None) -> CountryHistory:
        """One state's positions across the joint statements, its Council terms and its votes on country
        texts (``country``)."""
        from blocwatch.api.results import CountryHistory
        from blocwatch.statements.analytics import country_history
        from blocwatch.votes import read

        country = self.get(name, former=former)
        record = country_history(self._bw.dataset(), country.iso3, series)
        with self._bw.engine.connect() as conn:
            record["council_terms"] = read.terms(conn, iso3=country.iso3)
            hits = read.search(conn, subject="country", state=country.iso3, limit=None)["hits"]
        record["country_votes"] = [h for h in hits if h["position"] != "not_member"]
        return CountryHistory.from_dict(record)
