"""Briefs use the latest votes: the GA session running on the event's date, and the Council's votes on the target.

On the full database (GA sessions 1-80, to June 2026; Council votes 2006-2024),
read only. Expected numbers are recomputed here with plain SQL on the store's
tables (roll_calls, votes, council_terms), not through blocwatch.votes.read.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date

import pytest

from blocwatch import registry
from blocwatch.ga.sessions import OPENINGS
from blocwatch.statements import alignment, brief
from blocwatch.statements.load import dataset

GA78_CRITICAL = "2023-10-18-ga78-3c-critical"
HRC50_CRITICAL = "2022-06-14-hrc50-critical"       # 47 signatories, all named
GA80_CRITICAL = "2025-11-21-ga80-3c-critical"


@pytest.fixture(scope="module")
def full(filled_db_file):
    """The shared full database, read only."""
    from blocwatch.store.db import make_engine

    eng = make_engine(f"sqlite:///{filled_db_file}")
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def ds(full):
    return dataset(full)


def _sql(engine, sql: str, *args) -> list[tuple]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql(sql, args).all())


def _ga_session(engine, session: int) -> tuple[int, str, str]:
    n, first, last = _sql(engine, "SELECT count(*), min(date), max(date) FROM roll_calls "
                                  "WHERE forum = 'ga' AND session = ?", session)[0]
    return n, str(first), str(last)


def _section(text: str, heading: str) -> str:
    return text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]


def _check_md_refs(text: str) -> list[str]:
    """Every [[n]](url) points at source n; returns the listed addresses."""
    sources = re.findall(r"^\d+\. <(\S+)>", text, re.M)
    for n, url in re.findall(r"\[\[(\d+)\]\]\((\S+?)\)", text):
        assert sources[int(n) - 1] == url
    return sources


@pytest.mark.slow
def test_a_2023_brief_uses_session_78_and_no_time_gap(full):
    facts = brief.brief_facts(full, GA78_CRITICAL)
    ga = facts["facts"]["ga_alignment"]["ga"]
    n, first, last = _ga_session(full, 78)
    assert (ga["session"], ga["event_session"], ga["year"], ga["years_after_data"]) == (78, 78, 2023, 0)
    assert (ga["n_rollcalls"], ga["first_vote_date"], ga["last_vote_date"]) == (n, first, last) == \
        (87, "2023-10-27", "2024-07-11")
    assert not ga["is_latest_session"] and ga["latest_session"] == 80
    assert not any(c["key"] == "time_gap" for c in facts["facts"]["ga_alignment"]["caveats"])
    text = brief.render_facts(facts, "md")
    section = _section(text, "General Assembly voting")
    assert (f"Numbers in this section: ideal points and agreement from GA session 78 (2023-2024: {n} recorded "
            f"votes, {first} to {last}), the session running on the event's date.") in section
    assert "In the roll calls of session 78, " in section
    for stale in ("year later", "years later", "may have moved", "2019"):
        assert stale not in section
    # The GA numbers cite the UN's resolutions data (it has no URL field; its citation gives the repository).
    _check_md_refs(text)
    for para in [p for p in section.split("\n\n") if p.strip()]:
        assert "[[" in para and "https://github.com/UNxml/GAresolutions" in para, para
    assert "machine-readable General Assembly resolutions" in text.split("## Sources")[1]
    # Agreement rests on the session's roll calls: the signatories' mean recomputed from the votes table.
    e = dataset(full).get(GA78_CRITICAL)
    rows = _sql(full, "SELECT v.rcid, v.iso3, v.vote FROM votes v JOIN roll_calls r ON r.rcid = v.rcid "
                      "WHERE r.forum = 'ga' AND r.session = 78 AND v.vote IN (1, 2, 3)")
    by_state: dict[str, dict[int, int]] = {}
    for rcid, iso3, vote in rows:
        by_state.setdefault(iso3, {})[rcid] = vote
    chn = by_state["CHN"]
    shares = []
    for c in e.signatories:
        mine = by_state.get(c, {})
        joint = [r for r in mine if r in chn]
        if joint:
            shares.append(sum(mine[r] == chn[r] for r in joint) / len(joint))
    g = facts["facts"]["ga_alignment"]["groups"]["signatories"]
    assert g["agree_chn"]["n"] == len(shares)
    assert g["agree_chn"]["mean"] == pytest.approx(sum(shares) / len(shares), abs=1e-12)


@pytest.mark.slow
def test_every_event_uses_the_session_running_on_its_date(full, ds):
    stored = [s for (s,) in _sql(full, "SELECT DISTINCT session FROM roll_calls WHERE forum = 'ga' ORDER BY 1")]
    assert stored[-8:] == list(range(73, 81))
    every = {a["event"]["id"]: a for a in alignment.all_alignments(full)}
    assert len(every) == len(ds)
    for e in ds:
        ga = every[e.id]["ga"]
        # the session whose recorded opening day (UN press releases, ga.sessions.OPENINGS) is the last
        # one on or before the event
        own = max(n for n, opened in OPENINGS.items() if opened <= e.date) if e.date >= OPENINGS[74] else 73
        assert ga["session"] == ga["event_session"] == own, e.id
        assert ga["years_after_data"] == 0 and not any(c["key"] == "time_gap" for c in every[e.id]["caveats"])
        assert (ga["n_rollcalls"], ga["first_vote_date"], ga["last_vote_date"]) == _ga_session(full, own)
        assert every[e.id]["reference"]["USA"]["ideal"] > 0
        assert ga["model_info"]["converged"] is True
        assert all(math.isfinite(r["ideal"]) for r in every[e.id]["states"] if r["ideal"] is not None)
    expected = {"2019-07-12-hrc41-letter-supportive": 73, "2019-10-29-ga74-3c-critical": 74,
                HRC50_CRITICAL: 76, "2022-09-13-hrc51-supportive": 77, GA78_CRITICAL: 78, GA80_CRITICAL: 80}
    assert {ref: every[ref]["ga"]["session"] for ref in expected} == expected
    # 2022-09-13: the day session 77 opened (a recorded opening day): counted in it, no boundary caveat
    assert not any(c["key"] == "session_boundary" for c in every["2022-09-13-hrc51-supportive"]["caveats"])
    # session 80 is the latest stored (votes to June 2026): said so, with its last vote
    ga80 = every[GA80_CRITICAL]["ga"]
    last_ga = str(_sql(full, "SELECT max(date) FROM roll_calls WHERE forum = 'ga'")[0][0])
    assert ga80["is_latest_session"] and ga80["last_vote_date"] == ga80["latest_vote_date"] == last_ga
    assert last_ga.startswith("2026-") and "the latest session in the data" in ga80["label"]
    assert ga80["n_rollcalls"] >= alignment.FEW_ROLLCALLS
    assert not any(c["key"] == "few_rollcalls" for c in every[GA80_CRITICAL]["caveats"])


def test_the_nearest_stored_session_before_the_event(full):
    assert alignment.choose_session(full, date(2023, 10, 18))[:2] == (78, 80)
    assert alignment.choose_session(full, date(2030, 1, 1))[:2] == (80, 80)   # session 84 not stored: 80
    with pytest.raises(alignment.NoVotes, match="up to session 0"):
        alignment.choose_session(full, date(1946, 3, 1))           # session 1 opened in January 1946


def _expected_council(engine, target: str, signers: list[str], on=None) -> dict:
    """The Council's votes on ``target`` and the signers' positions on the most recent whole text (on or before
    ``on`` if given), by SQL."""
    calls = _sql(engine, "SELECT rcid, symbol, date, kind, adopted FROM roll_calls WHERE forum = 'hrc' "
                         "AND target = ? ORDER BY date DESC, rcid DESC", target)
    tallies = {}
    for rcid, *_ in calls:
        counts = dict(_sql(engine, "SELECT vote, count(*) FROM votes WHERE rcid = ? GROUP BY vote", rcid))
        tallies[rcid] = {"yes": counts.get(1, 0), "abstain": counts.get(2, 0), "no": counts.get(3, 0),
                         "not_voting": counts.get(8, 0)}
    whole = [c for c in calls if c[3] in ("resolution", "decision")] or calls
    if on is not None:
        whole = [c for c in whole if str(c[2]) <= on.isoformat()]
    out: dict = {"calls": calls, "tallies": tallies, "latest": whole[0] if whole else None}
    if whole:
        rcid, _, day = whole[0][:3]
        members = {m for (m,) in _sql(engine, "SELECT iso3 FROM council_terms WHERE forum = 'hrc' AND start <= ? "
                                              "AND (\"end\" IS NULL OR \"end\" >= ?)", day, day)}
        voted = dict(_sql(engine, "SELECT iso3, vote FROM votes WHERE rcid = ?", rcid))
        names = {1: "yes", 2: "abstain", 3: "no", 8: "not_voting"}
        sat = [c for c in signers if c in members | set(voted)]
        out["members"] = sat
        out["positions"] = {c: names[voted[c]] if c in voted else "absent" for c in sat}
    return out


@pytest.mark.parametrize("target", ["RUS", "MMR"])
def test_council_votes_on_a_target_come_from_the_store(full, ds, target):
    e = ds.get(HRC50_CRITICAL)
    got = alignment.council_votes(full, target, {"signatories": e.signatories})
    want = _expected_council(full, target, e.signatories)
    assert got["total"] == len(want["calls"]) > 0
    assert got["target_name"] == registry.get(target).name
    assert (got["coverage"]["first_year"], got["coverage"]["last_year"]) == (2006, 2024)
    listed = want["calls"][:alignment.COUNCIL_LISTED]
    assert [(v["rcid"], v["symbol"], v["date"]) for v in got["votes"]] == \
        [(rcid, symbol, str(day)) for rcid, symbol, day, *_ in listed]
    assert got["not_listed"] == len(want["calls"]) - len(listed)
    for v in got["votes"]:
        assert v["tally"] == want["tallies"][v["rcid"]]
        assert v["sources"] and v["sources"][0]["url"] == "https://searchlibrary.ohchr.org"
        assert "OHCHR library voting records" in v["sources"][0]["citation"]
    latest = want["latest"]
    assert (got["latest"]["symbol"], got["latest"]["date"]) == (latest[1], str(latest[2]))
    side = got["sides"]["signatories"]
    assert side["named"] == len(e.signatories) == 47
    assert side["members"] == len(want["members"])
    for pos, codes in side["positions"].items():
        assert codes == [c for c in want["members"] if want["positions"][c] == pos]


def test_council_votes_on_russia_name_the_2024_texts(full, ds):
    got = alignment.council_votes(full, "RUS", {"signatories": ds.get(HRC50_CRITICAL).signatories})
    assert [(v["date"], v["symbol"]) for v in got["votes"][:2]] == [("2024-10-11", "A/HRC/RES/57/33"),
                                                                     ("2024-10-10", "A/HRC/RES/57/20")]
    second = got["votes"][1]
    assert second["tally"] == {"yes": 20, "no": 8, "abstain": 19, "not_voting": 0} and second["adopted"] is True
    assert second["stated"] == {"yes": 20, "no": 8, "abstain": 19} and second["yes_stance"] == "critical"
    assert any(s["url"] and "miragenews.com" in s["url"] for s in second["sources"])  # the checked report


def test_no_target_no_council_section(full):
    assert alignment.council_votes(full, None, {"signatories": ["USA"]}) is None


@pytest.fixture
def as_russia(monkeypatch):
    """Briefs whose Council section is computed for Russia (every event in the data is about China)."""
    real = alignment.council_votes
    monkeypatch.setattr(alignment, "council_votes", lambda engine, target, sides, **kw: real(engine, "RUS", sides,
                                                                                                **kw))


def test_a_brief_lists_the_council_votes_on_its_target(full, ds, as_russia):
    facts = brief.brief_facts(full, HRC50_CRITICAL)
    hv = facts["facts"]["council_votes"]
    e = ds.get(HRC50_CRITICAL)
    want = _expected_council(full, "RUS", e.signatories, on=e.date)
    text = brief.render_facts(facts, "md")
    section = _section(text, "Human Rights Council votes")
    sources = _check_md_refs(text)
    assert (f"The data (2006–2024) holds {len(want['calls'])} recorded Council votes on texts about Russia; "
            f"the {alignment.COUNCIL_LISTED} most recent:") in section
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(lines) == len(hv["votes"]) == alignment.COUNCIL_LISTED
    for line, v in zip(lines, hv["votes"], strict=True):
        t = want["tallies"][v["rcid"]]
        assert line.startswith(f"- {v['date']}, {v['symbol']} ({v['session_name']}), {v['kind']} “{v['title']}”: "
                               f"adopted, {t['yes']} yes, {t['no']} no, {t['abstain']} abstaining")
        assert "a yes vote was critical of Russia" in line
        cited = {sources[int(n) - 1] for n in re.findall(r"\[\[(\d+)\]\]", line)}
        assert cited == {s["url"] for s in v["sources"]}
    # the signers on the most recent resolution before the event (2022-06-14), every number and name from the
    # store: the special session of 12 May 2022 on Ukraine
    pos = want["positions"]
    count = {k: [c for c in want["members"] if pos[c] == k] for k in ("yes", "no", "abstain")}
    rcid, symbol, day = want["latest"][:3]
    assert (symbol, str(day)) == ("A/HRC/RES/S-34/1", "2022-05-12") and hv["latest_when"] == "before"
    assert len(want["members"]) >= 10 and count["yes"] and not count["no"]

    def listed(k: str) -> str:
        codes = count[k]
        return f"{len(codes)} ({', '.join(brief._name(c) for c in codes)})" if codes else "0"

    assert (f"On the most recent resolution before the event ({symbol}, {day}), of the 47 named signatories, "
            f"{len(want['members'])} were Council members that day: voted yes {listed('yes')}, no {listed('no')}, "
            f"abstained {listed('abstain')}") in section
    # the membership rests on the stored terms, whose source has no address: cited by number and citation
    membership = next(s for s in facts["sources"] if s["what"] == "Human Rights Council membership terms")
    assert membership["url"] is None and "membership" in membership["citation"]
    assert f" [{membership['n']}]" in section and f"{membership['n']}. Human Rights Council membership terms; " \
        in text
    # the other formats carry the same section
    html = brief.render_facts(facts, "html")
    assert "<h2>Human Rights Council votes</h2>" in html and html.count("<li>") == alignment.COUNCIL_LISTED
    assert f'href="#s{membership["n"]}"' in html and f'<p id="s{membership["n"]}">' in html
    assert json.loads(brief.render_facts(facts, "json"))["facts"]["council_votes"]["total"] == len(want["calls"])


def test_the_api_brief_renders_the_council_section(filled_db_file, as_russia):
    import blocwatch
    from blocwatch.api.results import BriefFacts

    bw = blocwatch.open(str(filled_db_file))
    try:
        b = bw.events.brief(HRC50_CRITICAL)
    finally:
        bw.close()
    again = BriefFacts.from_dict(json.loads(json.dumps(b.to_json())))
    for fmt in ("md", "html"):
        assert "Human Rights Council votes" in again.render(fmt)
        assert "A/HRC/RES/57/33" in again.render(fmt)


def test_a_china_brief_says_there_is_no_council_vote_on_china(full):
    assert _sql(full, "SELECT count(*) FROM roll_calls WHERE forum = 'hrc' AND target = 'CHN'")[0][0] == 0
    first, last = _sql(full, "SELECT min(session), max(session) FROM roll_calls WHERE forum = 'hrc'")[0]
    facts = brief.brief_facts(full, GA78_CRITICAL)
    hv = facts["facts"]["council_votes"]
    assert hv["total"] == 0 and hv["votes"] == [] and hv["latest"] is None
    assert (hv["coverage"]["first_year"], hv["coverage"]["last_year"]) == (first, last) == (2006, 2024)
    text = brief.render_facts(facts, "md")
    section = _section(text, "Human Rights Council votes")
    assert section.strip().startswith(
        "No recorded Council vote on a text about China in the data (2006–2024). [[")
    assert len([p for p in section.split("\n\n") if p.strip()]) == 1
    sources = _check_md_refs(text)
    cited = [sources[int(n) - 1] for n in re.findall(r"\[\[(\d+)\]\]", section)]
    assert cited == ["https://searchlibrary.ohchr.org"]
    assert "No recorded Council vote on a text about China" in brief.render_facts(facts, "html")


def test_a_brief_from_a_dataset_alone_has_no_council_section(ds):
    facts = brief.brief_facts(ds, GA78_CRITICAL)
    assert facts["facts"]["council_votes"] is None
    assert "Human Rights Council votes" not in brief.render_facts(facts, "md")


def test_the_signers_are_shown_on_the_last_vote_before_the_event_else_the_first_after(full, ds):
    from datetime import date

    sides = {"signatories": ds.get(HRC50_CRITICAL).signatories}
    before = alignment.council_votes(full, "RUS", sides, on=date(2022, 6, 14))
    assert before["latest_when"] == "before" and before["latest"]["date"] <= "2022-06-14"
    later = [v for v in before["votes"] if v["date"] > "2022-06-14"]
    assert later  # there are later votes on Russia, and they are not the one the sides are shown on
    after = alignment.council_votes(full, "RUS", sides, on=date(2010, 1, 1))
    whole = _sql(full, "SELECT min(date) FROM roll_calls WHERE forum = 'hrc' AND target = 'RUS' "
                       "AND kind IN ('resolution', 'decision')")[0][0]
    assert after["latest_when"] == "after" and after["latest"]["date"] == str(whole)
