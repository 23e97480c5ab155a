"""The Python API: ``bw = blocwatch.open()`` and everything the CLI and the web app can do.

::

    import blocwatch

    bw = blocwatch.open()                       # the default database (filled on first use)
    bw.countries.resolve(["Côte d'Ivoire", "中国"])
    s = bw.events.show("2022-10-31-ga77-3c-critical")
    s.claimed_count, s.by_group, s.first_time
    print(bw.events.brief("2023-10-18").render("md"))
    bw.ga.agreement(year=2019, country="China", with_="United States").frame

Every result is typed (:mod:`blocwatch.api.results`) and ``.to_dict()``
gives the JSON the CLI prints with ``--json``. Errors a user can cause are
:class:`blocwatch.errors.BlocwatchError` subclasses.
"""

from blocwatch.api.core import Blocwatch, open  # noqa: A004

__all__ = ["Blocwatch", "open"]
