"""``bw.campaigns``: stored campaigns, private to their members (team mode, :mod:`blocwatch.team.campaigns`).

A stored campaign is a planned statement or text on a target: the status of
each state, dated notes, the regional coverage of the committed states and
— in :meth:`Campaigns.show` — the forecast of who is likely to join (the
unsaved ranking of :meth:`~blocwatch.api.core.Blocwatch.campaign` without
the states already committed).

Every method takes the acting account ``by`` (required: there is no
anonymous access); the domain checks it inside the transaction. A campaign
is read only by its members and changed only by its members who are
editors: anyone else gets :class:`~blocwatch.errors.NotFound`, as for an id
that does not exist (:class:`~blocwatch.errors.Forbidden` for a member
without the editor role). Every change runs in one transaction with its
audit-log entry.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from blocwatch.api.options import CampaignStatus, VoteForum, choose
from blocwatch.api.results import Result
from blocwatch.errors import InvalidInput, NoData

if TYPE_CHECKING:
    from blocwatch.api.core import Blocwatch
    from blocwatch.team.users import User


@dataclass(frozen=True)
class CampaignRow(Result):
    """One line of ``campaigns list``: a campaign with its number of members and of committed states."""

    id: int
    name: str
    target: str
    target_name: str
    forum: str
    created_at: str
    created_by: str | None
    members: int
    committed: int


@dataclass(frozen=True)
class CampaignView(Result):
    """One campaign in full (``campaigns show``).

    ``members``: ``{username, role, disabled}``; ``states``: every member and
    observer state but the target, by name, each ``{iso3, name, group,
    status, version, updated_at, updated_by}`` (``version`` 0 and status
    ``not_contacted`` for a state never set; give ``version`` back to
    :meth:`Campaigns.set_status`); ``counts``: states per status;
    ``coverage``: the committed states per UN regional group
    (``{committed, by_group, groups_without, no_group}``); ``notes``: newest
    first, ``{id, at, user, iso3, state, text}``; ``forecast``: the "who do we
    call next" ranking (:meth:`~blocwatch.api.core.Blocwatch.campaign`'s JSON)
    without the committed states, each candidate with its ``status`` here, or
    None with the reason in ``forecast_note``.
    """

    id: int
    name: str
    target: str
    target_name: str
    forum: str
    created_at: str
    created_by: str | None
    members: list[Any]
    states: list[Any]
    counts: dict[str, int]
    coverage: dict[str, Any]
    notes: list[Any]
    forecast: dict[str, Any] | None
    forecast_note: str | None

    def state(self, iso3: str) -> dict[str, Any]:
        """One state's row of ``states`` (KeyError if it is not there: the target, an unknown code)."""
        for row in self.states:
            if row["iso3"] == iso3:
                return row
        raise KeyError(iso3)


@dataclass(frozen=True)
class StateStatus(Result):
    """A state's status after :meth:`Campaigns.set_status` (``changed``: False when it already had it)."""

    campaign: int
    iso3: str
    name: str
    group: str | None
    status: str
    version: int
    updated_at: str | None
    updated_by: str | None
    changed: bool


@dataclass(frozen=True)
class CampaignNote(Result):
    """A note as stored by :meth:`Campaigns.add_note` (``iso3``/``state``: None for the whole campaign)."""

    campaign: int
    id: int
    at: str
    user: str | None
    iso3: str | None
    state: str | None
    text: str


@dataclass(frozen=True)
class CampaignMembers(Result):
    """The members of a campaign after a change to them."""

    campaign: int
    members: list[Any]


class Campaigns:
    def __init__(self, bw: Blocwatch) -> None:
        self._bw = bw

    def _state(self, name: str) -> str:
        """A state's code from its code or name (NotFound with close matches), before any campaign is read: the
        answer is the same whatever the campaign id."""
        return self._bw.countries.get(name).iso3

    def create(self, name: str, target: str, *, forum: VoteForum | str = "hrc", by: User) -> CampaignRow:
        """A new campaign on ``target`` (a code or name) in ``forum``; ``by`` (an editor) is its first member
        (``campaigns create``)."""
        from blocwatch.team import campaigns

        body = choose(VoteForum, forum, "--forum").value
        state = self._state(target)
        with self._bw.engine.begin() as conn:
            campaign_id = campaigns.create(conn, name, state, body, by)
            row = next(r for r in campaigns.list_for(conn, by) if r["id"] == campaign_id)
        return CampaignRow.from_dict(row)

    def list(self, *, by: User) -> builtins.list[CampaignRow]:
        """The campaigns ``by`` is a member of, and no other (``campaigns list``)."""
        from blocwatch.team import campaigns

        with self._bw.engine.connect() as conn:
            return [CampaignRow.from_dict(r) for r in campaigns.list_for(conn, by)]

    def show(self, campaign_id: int | str, *, by: User, forecast: bool = True,
             as_of: date | str | None = None) -> CampaignView:
        """One campaign for a member (``campaigns show``); ``forecast``: also rank the states not committed by
        their chance of voting yes, as known before ``as_of`` (default: today)."""
        from blocwatch.team import campaigns

        with self._bw.engine.connect() as conn:
            data = campaigns.read(conn, campaign_id, by)
        ranked, note = (self._forecast(data, as_of) if forecast else (None, "not asked for"))
        return CampaignView.from_dict({**data, "forecast": ranked, "forecast_note": note})

    def _forecast(self, data: dict, as_of: date | str | None) -> tuple[dict | None, str | None]:
        status = {s["iso3"]: s["status"] for s in data["states"]}
        try:
            ranking = self._bw.campaign(data["target"], forum=data["forum"], as_of=as_of).to_json()
        except (InvalidInput, NoData) as exc:
            return None, f"no forecast: {exc}"
        ranking["candidates"] = [{**c, "status": status.get(c["iso3"], "not_contacted")}
                                 for c in ranking["candidates"] if status.get(c["iso3"]) != "committed"]
        return ranking, None

    def history(self, campaign_id: int | str, *, by: User) -> builtins.list[dict]:
        """Every change to the campaign (its audit-log entries, oldest first), for a member."""
        from blocwatch.team import campaigns

        with self._bw.engine.connect() as conn:
            return campaigns.history(conn, campaign_id, by)

    def set_status(self, campaign_id: int | str, state: str, status: CampaignStatus | str, *, by: User,
                   version: int | None = None) -> StateStatus:
        """Set a state's status (``campaigns status``). ``version``: the state's version this change started from
        (``show``'s ``states[].version``; 0 for a state never set); a change saved since makes it a
        :class:`~blocwatch.errors.Conflict` naming who and when. None: replace whatever is there."""
        from blocwatch.team import campaigns

        chosen = choose(CampaignStatus, status, "status").value
        iso3 = self._state(state)
        if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 0):
            raise InvalidInput(f"--version {version!r}: expected a whole number, 0 or more")
        with self._bw.engine.begin() as conn:
            row = campaigns.set_status(conn, campaign_id, iso3, chosen, by, version)
        return StateStatus.from_dict(row)

    def add_note(self, campaign_id: int | str, text: str, *, state: str | None = None, by: User) -> CampaignNote:
        """A dated note on ``state`` or on the whole campaign (``campaigns note``)."""
        from blocwatch.team import campaigns

        iso3 = self._state(state) if state is not None else None
        with self._bw.engine.begin() as conn:
            note = campaigns.add_note(conn, campaign_id, iso3, text, by)
        return CampaignNote.from_dict(note)

    def add_member(self, campaign_id: int | str, username: str, *, by: User) -> CampaignMembers:
        """Make an account a member (``campaigns members ID add``; only members who are editors may)."""
        from blocwatch.team import campaigns

        with self._bw.engine.begin() as conn:
            members = campaigns.add_member(conn, campaign_id, username, by)
        return CampaignMembers(campaigns.key(campaign_id), members)

    def remove_member(self, campaign_id: int | str, username: str, *, by: User) -> CampaignMembers:
        """End an account's membership (``campaigns members ID remove``; a member may leave; the last stays)."""
        from blocwatch.team import campaigns

        with self._bw.engine.begin() as conn:
            members = campaigns.remove_member(conn, campaign_id, username, by)
        return CampaignMembers(campaigns.key(campaign_id), members)
