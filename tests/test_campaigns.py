"""Stored campaigns, private to their members (issue 12, item 3): who may read and write, coverage, optimistic
locking, notes, the audit log, the forecast of who may join, the command line."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest

from blocwatch.errors import Conflict, Forbidden, InvalidInput, NotFound, NotSignedIn

pytestmark = pytest.mark.postgres  # make test-postgres runs this module on PostgreSQL too

PASSWORD = "correct horse battery"
AS_OF = "2024-06-01"  # the Council's members are known; the forecast tests of test_forecast use this day too


@pytest.fixture
def team(small_db_url, monkeypatch):
    """A campaign on China by alice (editor) with vera (viewer) as a member, and accounts that are not members:
    a viewer, an editor and an admin. Passwords are hashed cheaply (nothing here signs in)."""
    from argon2 import PasswordHasher

    import blocwatch
    from blocwatch.team import users

    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    bw = blocwatch.open(small_db_url)
    made = {name: bw.users.add(name, PASSWORD, role) for name, role in
            (("alice", "editor"), ("vera", "viewer"), ("ed", "editor"), ("outv", "viewer"), ("oute", "editor"),
             ("outa", "admin"))}
    campaign = bw.campaigns.create("Xinjiang, HRC 2027", "China", by=made["alice"])
    bw.campaigns.add_member(campaign.id, "vera", by=made["alice"])
    bw.campaigns.add_member(campaign.id, "ed", by=made["alice"])
    yield SimpleNamespace(bw=bw, id=campaign.id, url=small_db_url, **made)
    bw.close()


def _audit_count(bw) -> int:
    from sqlalchemy import text

    with bw.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one())


def _every_method(bw, campaign_id):
    """Every read and write of bw.campaigns on one campaign, as (name, call(user))."""
    c = bw.campaigns
    return [
        ("show", lambda u: c.show(campaign_id, by=u, forecast=False)),
        ("history", lambda u: c.history(campaign_id, by=u)),
        ("set_status", lambda u: c.set_status(campaign_id, "Spain", "committed", by=u, version=0)),
        ("set_status without version", lambda u: c.set_status(campaign_id, "Spain", "committed", by=u)),
        ("add_note", lambda u: c.add_note(campaign_id, "spoke to the mission", state="ESP", by=u)),
        ("add_note on the campaign", lambda u: c.add_note(campaign_id, "draft circulated", by=u)),
        ("add_member (themselves)", lambda u: c.add_member(campaign_id, u.username, by=u)),
        ("add_member", lambda u: c.add_member(campaign_id, "outv", by=u)),
        ("remove_member", lambda u: c.remove_member(campaign_id, "vera", by=u)),
    ]


def test_non_members_get_not_found_for_every_read_and_write_whatever_their_role(team):
    bw = team.bw
    before = bw.campaigns.show(team.id, by=team.alice, forecast=False)
    entries = _audit_count(bw)
    missing = {}
    for name, call in _every_method(bw, 999):  # an id that does not exist: the words a non-member must get too
        with pytest.raises(NotFound) as exc:
            call(team.alice)
        missing[name] = str(exc.value).replace("999", "ID")
    for outsider in (team.outv, team.oute, team.outa):
        for name, call in _every_method(bw, team.id):
            with pytest.raises(NotFound) as exc:
                call(outsider)
            assert str(exc.value).replace(str(team.id), "ID") == missing[name], (outsider.username, name)
            assert not isinstance(exc.value, Forbidden)
        assert bw.campaigns.list(by=outsider) == []
    assert _audit_count(bw) == entries
    assert bw.campaigns.show(team.id, by=team.alice, forecast=False) == before


@pytest.mark.parametrize("campaign_id", ["abc", "0", "-1", "99999999999999999999", " 1; DROP TABLE campaigns"])
def test_ids_that_are_not_campaigns_are_not_found(team, campaign_id):
    with pytest.raises(NotFound, match="no campaign"):
        team.bw.campaigns.show(campaign_id, by=team.alice, forecast=False)


def test_there_is_no_anonymous_access_and_a_disabled_member_is_refused(team):
    bw = team.bw
    with pytest.raises(NotSignedIn):
        bw.campaigns.show(team.id, by=None, forecast=False)  # type: ignore[arg-type]
    with pytest.raises(NotSignedIn):
        bw.campaigns.list(by=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        bw.campaigns.show(team.id)  # type: ignore[call-arg]  # `by` is required
    from blocwatch.team.users import User

    mallory = User(team.alice.id, "mallory", "admin", dt.datetime(2020, 1, 1))
    with pytest.raises(NotSignedIn):  # an account the database does not hold, whatever role it claims
        bw.campaigns.show(team.id, by=mallory, forecast=False)
    bw.users.remove("vera")
    with pytest.raises(Forbidden, match="disabled"):
        bw.campaigns.show(team.id, by=team.vera, forecast=False)


def test_a_viewer_member_reads_but_does_not_write(team):
    bw = team.bw
    assert bw.campaigns.show(team.id, by=team.vera, forecast=False).name == "Xinjiang, HRC 2027"
    assert [r.id for r in bw.campaigns.list(by=team.vera)] == [team.id]
    assert bw.campaigns.history(team.id, by=team.vera)
    entries = _audit_count(bw)
    for _name, call in _every_method(bw, team.id)[2:]:
        with pytest.raises(Forbidden, match="editor role"):
            call(team.vera)
    with pytest.raises(Forbidden, match="editor role"):
        bw.campaigns.create("mine", "Eritrea", by=team.vera)
    assert _audit_count(bw) == entries


def test_a_member_who_lost_the_editor_role_can_no_longer_write(team):
    team.bw.users.set_role("ed", "viewer")
    with pytest.raises(Forbidden):  # the role is read from the database, not from the account object held
        team.bw.campaigns.set_status(team.id, "Spain", "contacted", by=team.ed)


def test_list_shows_only_ones_own_campaigns(team):
    bw = team.bw
    second = bw.campaigns.create("Eritrea, HRC 2027", "ERI", forum="hrc", by=team.alice)
    other = bw.campaigns.create("Belarus, GA 2027", "Belarus", forum="ga", by=team.oute)
    assert [r.id for r in bw.campaigns.list(by=team.alice)] == [team.id, second.id]
    assert [r.id for r in bw.campaigns.list(by=team.vera)] == [team.id]
    assert [r.to_dict() for r in bw.campaigns.list(by=team.oute)] == [other.to_dict()]
    assert other.forum == "ga" and other.target == "BLR" and other.members == 1 and other.created_by == "oute"
    assert bw.campaigns.list(by=team.outa) == []  # an admin sees none but their own
    with pytest.raises(NotFound):
        bw.campaigns.show(other.id, by=team.alice, forecast=False)


def test_members_are_added_and_removed_by_members_only(team):
    bw = team.bw
    c = bw.campaigns
    assert [m["username"] for m in c.show(team.id, by=team.alice, forecast=False).members] == ["alice", "ed", "vera"]
    with pytest.raises(Conflict, match="already a member"):
        c.add_member(team.id, "vera", by=team.alice)
    with pytest.raises(NotFound, match="alice"):  # an unknown account, with the close matches
        c.add_member(team.id, "alcie", by=team.alice)
    assert [m["username"] for m in c.add_member(team.id, "outa", by=team.ed).members] == \
        ["alice", "ed", "outa", "vera"]
    assert c.show(team.id, by=team.outa, forecast=False).id == team.id  # a member now: reads
    c.remove_member(team.id, "outa", by=team.alice)
    with pytest.raises(NotFound):
        c.show(team.id, by=team.outa, forecast=False)  # and no longer
    with pytest.raises(NotFound, match="not a member"):
        c.remove_member(team.id, "outa", by=team.alice)
    c.remove_member(team.id, "vera", by=team.alice)
    c.remove_member(team.id, "ed", by=team.ed)  # a member may leave
    with pytest.raises(InvalidInput, match="last member"):
        c.remove_member(team.id, "alice", by=team.alice)


def test_coverage_counts_committed_states_per_group_and_names_the_empty_groups(team):
    bw = team.bw
    for state, status in (("France", "committed"), ("Germany", "committed"), ("Chile", "committed"),
                          ("Holy See", "committed"), ("Japan", "considering"), ("Nigeria", "declined"),
                          ("Poland", "contacted")):
        bw.campaigns.set_status(team.id, state, status, by=team.alice)
    v = bw.campaigns.show(team.id, by=team.vera, forecast=False)
    assert v.coverage == {"committed": 4, "by_group": {"african": 0, "asia_pacific": 0, "eastern_european": 0,
                                                       "latin_american_caribbean": 1, "weog": 2},
                          "groups_without": ["african", "asia_pacific", "eastern_european"], "no_group": ["VAT"]}
    assert v.counts == {"not_contacted": len(v.states) - 7, "contacted": 1, "considering": 1, "committed": 4,
                        "declined": 1}
    assert v.state("JPN")["status"] == "considering" and v.state("NGA")["status"] == "declined"
    assert v.state("ITA") == {"iso3": "ITA", "name": "Italy", "group": "weog", "status": "not_contacted",
                              "version": 0, "updated_at": None, "updated_by": None}
    with pytest.raises(KeyError):
        v.state("CHN")  # the target has no status
    with pytest.raises(InvalidInput, match="target"):
        bw.campaigns.set_status(team.id, "China", "committed", by=team.alice)
    bw.campaigns.set_status(team.id, "Japan", "committed", by=team.alice)
    bw.campaigns.set_status(team.id, "France", "declined", by=team.alice)  # live: read again, not stored
    cov = bw.campaigns.show(team.id, by=team.alice, forecast=False).coverage
    assert cov["by_group"]["asia_pacific"] == 1 and cov["by_group"]["weog"] == 1
    assert cov["groups_without"] == ["african", "eastern_european"]


def test_a_stale_version_is_a_conflict_naming_who_changed_it_and_when(team, monkeypatch):
    from blocwatch.team import campaigns

    bw = team.bw
    monkeypatch.setattr(campaigns, "now", lambda: dt.datetime(2027, 3, 1, 9, 30, 5))
    seen = bw.campaigns.show(team.id, by=team.ed, forecast=False).state("ESP")["version"]  # ed reads: 0
    first = bw.campaigns.set_status(team.id, "ESP", "contacted", by=team.alice, version=seen)
    assert (first.status, first.version, first.updated_by, first.changed) == ("contacted", 1, "alice", True)
    entries = _audit_count(bw)
    with pytest.raises(Conflict) as exc:
        bw.campaigns.set_status(team.id, "ESP", "declined", by=team.ed, version=seen)
    assert "alice" in str(exc.value) and "2027-03-01T09:30:05" in str(exc.value) and "version 1" in str(exc.value)
    assert _audit_count(bw) == entries
    assert bw.campaigns.show(team.id, by=team.ed, forecast=False).state("ESP")["status"] == "contacted"
    second = bw.campaigns.set_status(team.id, "ESP", "considering", by=team.ed, version=1)
    assert (second.version, second.updated_by) == (2, "ed")
    with pytest.raises(Conflict, match="version 0"):
        bw.campaigns.set_status(team.id, "FRA", "contacted", by=team.ed, version=4)  # never set: version 0
    same = bw.campaigns.set_status(team.id, "ESP", "considering", by=team.alice, version=2)
    assert not same.changed and same.version == 2 and _audit_count(bw) == entries + 1  # nothing to write
    assert bw.campaigns.set_status(team.id, "ESP", "committed", by=team.alice).version == 3  # no version: no check
    with pytest.raises(InvalidInput, match="did you mean committed"):
        bw.campaigns.set_status(team.id, "ESP", "comitted", by=team.alice)
    with pytest.raises(InvalidInput):
        bw.campaigns.set_status(team.id, "ESP", "committed", by=team.alice, version=-1)


def test_a_racing_update_loses_even_after_its_version_check(team, monkeypatch):
    """The update is a compare-and-set: a change saved between the version check and the write makes this one a
    conflict (another writer is simulated in the moment the change takes the time)."""
    from sqlalchemy import update

    from blocwatch.team import campaigns
    from blocwatch.team.users import _t

    bw = team.bw
    bw.campaigns.set_status(team.id, "ESP", "contacted", by=team.alice, version=0)
    s = _t("campaign_states")
    with bw.engine.begin() as conn:
        def other_writer_first():
            conn.execute(update(s).where(s.c.campaign_id == team.id, s.c.iso3 == "ESP")
                         .values(version=2, status="declined", updated_by=team.ed.id))
            return dt.datetime(2027, 3, 1, 12, 0)

        monkeypatch.setattr(campaigns, "now", other_writer_first)
        with pytest.raises(Conflict, match="changed by ed .*declined, version 2"):
            campaigns.set_status(conn, team.id, "ESP", "committed", team.alice, 1)


def test_notes_are_dated_and_newest_first(team, monkeypatch):
    from blocwatch.team import campaigns

    bw = team.bw
    times = iter([dt.datetime(2027, 3, 1, 9, 0), dt.datetime(2027, 3, 2, 17, 45, 10), dt.datetime(2027, 3, 2, 8)])
    monkeypatch.setattr(campaigns, "now", lambda: next(times))
    first = bw.campaigns.add_note(team.id, "  Draft circulated to the core group  ", by=team.alice)
    bw.campaigns.add_note(team.id, "Will decide after capital's instructions", state="Spain", by=team.ed)
    bw.campaigns.add_note(team.id, "Positive signals", state="CHL", by=team.alice)
    assert (first.text, first.at, first.iso3, first.state, first.user) == \
        ("Draft circulated to the core group", "2027-03-01T09:00:00", None, None, "alice")
    notes = bw.campaigns.show(team.id, by=team.vera, forecast=False).notes
    assert [(n["at"], n["user"], n["iso3"], n["state"]) for n in notes] == [
        ("2027-03-02T17:45:10", "ed", "ESP", "Spain"), ("2027-03-02T08:00:00", "alice", "CHL", "Chile"),
        ("2027-03-01T09:00:00", "alice", None, None)]
    for text in ("", "   ", "x" * 10_001, "nul\x00byte"):
        with pytest.raises(InvalidInput):
            bw.campaigns.add_note(team.id, text, by=team.alice)
    with pytest.raises(NotFound, match="Spain"):
        bw.campaigns.add_note(team.id, "typo", state="Spian", by=team.alice)


def test_every_change_is_in_the_audit_log_which_only_members_read(team):
    from blocwatch.api.options import CampaignStatus
    from blocwatch.team.campaigns import STATUSES

    assert tuple(CampaignStatus) == STATUSES
    bw = team.bw
    bw.campaigns.set_status(team.id, "ESP", "committed", by=team.alice, version=0)
    note = bw.campaigns.add_note(team.id, "Confirmed in writing", state="ESP", by=team.ed)
    bw.campaigns.remove_member(team.id, "vera", by=team.alice)
    history = bw.campaigns.history(team.id, by=team.ed)
    assert [(h["action"], h["user"]) for h in history] == [
        ("create", "alice"), ("add-member", "alice"), ("add-member", "alice"), ("set-status", "alice"),
        ("add-note", "ed"), ("remove-member", "alice")]
    assert history[0]["after"] == {"name": "Xinjiang, HRC 2027", "target": "CHN", "forum": "hrc",
                                   "members": ["alice"]}
    assert history[3]["before"] == {"iso3": "ESP", "status": "not_contacted", "version": 0}
    assert history[3]["after"] == {"iso3": "ESP", "status": "committed", "version": 1}
    assert history[4]["after"] == {"note": note.id, "iso3": "ESP", "text": "Confirmed in writing"}
    assert history[5]["before"] == {"member": "vera"}
    assert all(h["object_type"] == "campaign" and h["object_id"] == str(team.id) for h in history)
    # the general audit log does not show them: an admin who is not a member learns nothing there either
    assert all(e["object_type"] != "campaign" for e in bw.audit.recent(1000))
    with pytest.raises(Forbidden):
        bw.audit.history("campaign", str(team.id))
    with pytest.raises(NotFound):
        bw.audit.entry(history[0]["id"])
    with pytest.raises(NotFound):
        bw.campaigns.history(team.id, by=team.vera)  # no longer a member


def test_the_forecast_leaves_out_the_committed_states(team):
    bw = team.bw
    for state in ("DOM", "CRI"):  # Council members in 2024 not on the latest statement on China
        bw.campaigns.set_status(team.id, state, "committed", by=team.alice)
    bw.campaigns.set_status(team.id, "CHL", "considering", by=team.alice)
    v = bw.campaigns.show(team.id, by=team.vera, as_of=AS_OF)
    assert v.forecast is not None and v.forecast_note is None
    full = bw.campaign("CHN", forum="hrc", as_of=AS_OF).to_json()  # the unsaved ranking (cached: no new data)
    assert {"DOM", "CRI", "CHL"} <= {c["iso3"] for c in full["candidates"]}
    assert [c["iso3"] for c in v.forecast["candidates"]] == \
        [c["iso3"] for c in full["candidates"] if c["iso3"] not in ("DOM", "CRI")]
    status = {c["iso3"]: c["status"] for c in v.forecast["candidates"]}
    assert status["CHL"] == "considering" and set(status.values()) == {"considering", "not_contacted"}
    assert {k: v.forecast[k] for k in ("target", "forum", "as_of", "on_board")} == \
        {k: full[k] for k in ("target", "forum", "as_of", "on_board")}
    json.dumps(v.to_json())  # JSON-ready
    none = bw.campaigns.show(team.id, by=team.vera, as_of="1990-01-01")  # nothing to learn from: said, no error
    assert none.forecast is None and none.forecast_note and none.forecast_note.startswith("no forecast:")


# ---------------------------------------------------------------------------------------------------- the CLI


def test_cli_round_trip(team, small_cli):
    def ok(*args: str):
        result = small_cli("campaigns", *args)
        assert result.exit_code == 0, result.output
        return result

    created = json.loads(ok("create", "Eritrea 2027", "--target", "Eritrea", "--forum", "ga", "--as", "ed",
                            "--json").stdout)
    cid = str(created["id"])
    assert created["target"] == "ERI" and created["forum"] == "ga" and created["created_by"] == "ed"
    assert "created campaign" in ok("create", "Myanmar 2027", "--target", "MMR", "--as", "ed").output
    ok("members", cid, "add", "vera", "--as", "ed")
    status = json.loads(ok("status", cid, "Spain", "committed", "--as", "ed", "--version", "0", "--json").stdout)
    assert (status["iso3"], status["version"], status["changed"]) == ("ESP", 1, True)
    assert "Kenya (KEN): contacted, version 1" in ok("status", cid, "KEN", "contacted", "--as", "ed").output
    ok("note", cid, "--state", "Spain", "Confirmed by the mission", "--as", "ed")
    ok("note", cid, "Core group met", "--as", "ed")
    listed = json.loads(ok("list", "--as", "vera", "--json").stdout)
    assert sorted(r["id"] for r in listed) == sorted([team.id, created["id"]])
    shown = json.loads(ok("show", cid, "--as", "vera", "--no-forecast", "--json").stdout)
    api = team.bw.campaigns.show(created["id"], by=team.vera, forecast=False).to_json()
    assert shown == json.loads(json.dumps(api))  # the CLI's JSON is the API result
    assert [n["text"] for n in shown["notes"]] == ["Core group met", "Confirmed by the mission"]
    text = ok("show", cid, "--as", "vera", "--no-forecast").output
    assert "Committed: 1" in text and "Confirmed by the mission" in text and "Kenya" in text
    assert "members of campaign " + cid + ": vera (viewer)" in ok("members", cid, "remove", "ed", "--as", "ed").output
    assert "no campaign" in small_cli("campaigns", "show", cid, "--as", "ed").output


@pytest.mark.parametrize(("args", "words"), [
    (("list", "--as", "alcie"), "no account named 'alcie'; close matches: alice"),
    (("status", "{id}", "Spian", "committed", "--as", "alice"), "close matches: Spain (ESP"),
    (("status", "{id}", "ESP", "comitted", "--as", "alice"), "did you mean committed"),
    (("status", "{id}", "ESP", "committed", "--as", "alice", "--version", "3"), "version 0"),
    (("show", "{id}", "--as", "outa", "--no-forecast"), "no campaign"),
    (("show", "4242", "--as", "alice", "--no-forecast"), "no campaign"),
    (("note", "{id}", "hello", "--as", "vera"), "editor role"),
    (("members", "{id}", "add", "outv", "--as", "oute"), "no campaign"),
    (("members", "{id}", "invite", "outv", "--as", "alice"), "ADD|REMOVE"),
    (("create", "X", "--target", "Atlantis", "--as", "alice"), "Atlantis"),
    (("list",), "--as"),
])
def test_cli_errors_are_one_line_and_exit_2(team, small_cli, args, words):
    result = small_cli("campaigns", *[a.replace("{id}", str(team.id)) for a in args])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
