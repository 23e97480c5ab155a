"""Bundled loaders of the votes after 2019: the UN's own GA resolutions (sessions 74-80) and the Human
Rights Council (membership 2006-2025, recorded votes 2006-2024).

Each runs once per database (see :mod:`blocwatch.api.bundled`), after the
1946-2019 GA votes, in one transaction, from the curated copies shipped in
the package (``data/dgacm``, ``data/hrc``; built by ``blocwatch curate``).
Session 74 is in both unvotes and the UN's resolutions: it is stored once,
with both sources (:mod:`blocwatch.votes.write`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from blocwatch.store.provenance import get_source
from blocwatch.votes.write import VotesWritten, write_roll_calls, write_terms

DGACM_TITLE = "blocwatch curated GA resolutions and recorded votes 2019-2026 (data/dgacm)"
HRC_TITLE = "blocwatch curated Human Rights Council votes 2006-2024 (data/hrc)"
HRC_TERMS_TITLE = "blocwatch curated Human Rights Council membership 2006-2025 (data/hrc/terms.csv)"


def dgacm_source(db: Session):
    from blocwatch.ga.dgacm import CITATION

    return get_source(db, kind="curation", title=DGACM_TITLE,
                      citation=CITATION + " Curated by blocwatch.ga.dgacm (data/dgacm).")


def load_dgacm(db: Session, ga_sessions: tuple[int, ...] | None = None) -> VotesWritten:
    """Store the curated GA recorded votes of sessions 74-80 (only ``ga_sessions`` if given); country texts of
    every stored GA roll call (1946-2019 too) classified by :mod:`blocwatch.ga.classify`."""
    from blocwatch.ga.classify import classify
    from blocwatch.ga.dgacm import bundled

    roll_calls = [classify(rc) for rc in bundled() if ga_sessions is None or rc.session in ga_sessions]
    from blocwatch.ga.classify import classify_stored

    source = dgacm_source(db)
    written = write_roll_calls(db, roll_calls, source.id, source_label="the UN's resolutions (DGACM)",
                               what="UN DGACM machine-readable resolution", log=False)
    classify_stored(db.connection())  # the 1946-2019 roll calls' titles, by the same rules
    return written


def load_hrc(db: Session) -> VotesWritten:
    """Store the curated Council membership terms and recorded votes, with the checked votes' own sources."""
    from blocwatch.hrc.curate import CITATION, bundled

    read = bundled()
    terms_source = get_source(db, kind="curation", title=HRC_TERMS_TITLE,
                              citation="UN Human Rights Council membership by year and its changes "
                                       "(shared/data/hrc/membership*.csv, with the excerpts in hrc/raw); "
                                       "curated by blocwatch.hrc.membership.")
    write_terms(db, "hrc", read.terms, terms_source.id)
    source = get_source(db, kind="curation", title=HRC_TITLE, citation=CITATION + " Curated by blocwatch.hrc.")
    written = write_roll_calls(db, read.roll_calls, source.id, source_label="the OHCHR voting records",
                               what="OHCHR library voting record", log=False)
    _link_checked_sources(db, read.sources)
    return written


def _link_checked_sources(db: Session, sources: dict[str, tuple[str, ...]]) -> None:
    """Add the web sources of the checked Council votes to their roll calls (once each)."""
    from sqlalchemy import insert, select

    from blocwatch.ga import vectors

    r, rs = vectors.table("roll_calls").c, vectors.table("roll_call_sources")
    conn = db.connection()
    for symbol, urls in sorted(sources.items()):
        rcid = conn.execute(select(r.rcid).where(r.forum == "hrc", r.symbol == symbol)).scalar()
        if rcid is None:
            continue
        have = set(conn.execute(select(rs.c.source_id).where(rs.c.rcid == rcid)).scalars())
        for url in urls:
            if url.startswith("github:"):
                continue  # the scrape itself: already the roll call's source
            src = get_source(db, kind="web", url=url, title=None)
            if src.id not in have:
                conn.execute(insert(rs), [{"rcid": rcid, "source_id": src.id,
                                           "what": "announced tally or list checked against it"}])
                have.add(src.id)
