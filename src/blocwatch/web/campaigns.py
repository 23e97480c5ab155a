"""Stored campaigns in the web app, private to their members (issue 12, item 3; ``bw.campaigns``).

Pages (server-rendered; every form carries the session's CSRF token, checked by
:class:`blocwatch.web.security.TeamGate`):

===================================  ====================================================================
``GET /campaigns``                   the campaigns the signed-in account is a member of; a form to start
                                     one (editors)
``POST /campaigns``                  (editor) start a campaign: name, target state, forum; its page next
``GET /campaigns/{id}``              name, target, forum, members; every state's status with a form to
                                     change it (committed first; ``?status=`` and ``?group=`` filter); the
                                     dated notes, newest first, and a form to add one; the regional coverage
                                     of the committed states; who is likely to join (``?as_of=`` the
                                     forecast's day, default today or the Council's last known day)
``POST /campaigns/{id}/status``      (editor member) a state's status, with the version the form was loaded
                                     with: a stale one is 409, naming who changed the state and when
``POST /campaigns/{id}/notes``       (editor member) a dated note on one state or the whole campaign
``POST /campaigns/{id}/members``     (editor member) ``action=add`` or ``remove`` an account
===================================  ====================================================================

The JSON twins: ``GET/POST /api/campaigns``, ``GET /api/campaigns/{id}``
(``?forecast=false`` leaves the forecast out; ``as_of``), ``GET
/api/campaigns/{id}/history`` (its audit-log entries), ``POST
/api/campaigns/{id}/status|notes|members``; their writes take the CSRF token
in the ``X-CSRF-Token`` header.

Privacy: every route calls ``bw.campaigns`` with ``by=`` the signed-in
account, and the domain reads a campaign only through that account's
membership: a viewer, editor or admin who is not a member gets the 404 of a
missing id on every route, a viewer member 403 on the writes. No role is
checked here before that (a non-member viewer would get 403 instead of 404)
except to start a campaign. Anonymous: the pages send to ``/login``, ``/api``
answers 401 (the gate does for every POST). Nothing here is ever cached:
every response says ``Cache-Control: private, no-store`` and the response
cache keeps nothing for a signed-in request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blocwatch import registry
from blocwatch.api.team import require
from blocwatch.errors import BlocwatchError, InvalidInput, NotSignedIn
from blocwatch.web import api
from blocwatch.web.render import TEMPLATES, bw_of, error_response
from blocwatch.web.team import current_user

if TYPE_CHECKING:
    from blocwatch.api.campaigns import CampaignView
    from blocwatch.api.core import Blocwatch
    from blocwatch.team.users import User

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["campaigns"])

STATUS_ORDER = ("committed", "considering", "contacted", "declined", "not_contacted")  # how the page lists them
STATUS_NAMES = {"not_contacted": "not contacted", "contacted": "contacted", "considering": "considering",
                "committed": "committed", "declined": "declined"}
NO_STORE = {"Cache-Control": "private, no-store"}
FOLD = 30  # a status with more states than this is folded (a <details>) unless the page is filtered to it

TEMPLATES.env.globals.update(CAMPAIGN_STATUSES=STATUS_ORDER, CAMPAIGN_STATUS_NAMES=STATUS_NAMES, FOLD=FOLD)


# --------------------------------------------------------------------------- shared


def _account(request: Request) -> User:
    """The signed-in account (NotSignedIn: 401, for ``/api`` and the POSTs the gate let through)."""
    user = current_user(request)
    if user is None:
        raise NotSignedIn("sign in to work with campaigns")
    return user


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303,
                            headers={"Cache-Control": "no-store"})


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {"api_path": None, **context}, headers=NO_STORE)


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=NO_STORE)


def _forecast_day(bw: Blocwatch, forum: str, as_of: str | None) -> tuple[str | None, str | None]:
    """The forecast's day (``YYYY-MM-DD``) and None, or None and why there is no forecast: a day that is not
    one, or a Council day whose members are not stored. Blank: today, or the Council's last known day."""
    raw = (as_of or "").strip()
    if not raw:
        return api.default_as_of(bw, forum).isoformat(), None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None, f"no forecast: as_of {raw[:40]!r} is not a day (expected YYYY-MM-DD)"
    if forum == "hrc":
        span = bw.hrc.span()
        if span is None or not span[0] <= day <= span[1]:
            known = f"the stored membership covers {span[0]} to {span[1]}" if span else "no membership is stored"
            return None, (f"no forecast: the Human Rights Council's members on {day} are not known ({known}): "
                          "choose an as-of day in that span")
    return day.isoformat(), None


def _view(bw: Blocwatch, campaign_id: str, user: User, *, forecast: bool = True,
          as_of: str | None = None) -> tuple[CampaignView, str | None]:
    """The campaign for a member (NotFound for anyone else, first) with its forecast, and the forecast's day."""
    first = bw.campaigns.show(campaign_id, by=user, forecast=False)
    if not forecast:
        return first, None
    day, why = _forecast_day(bw, first.forum, as_of)
    if day is None:
        return replace(first, forecast_note=why), None
    return bw.campaigns.show(first.id, by=user, as_of=day), day


def _field(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"the form has no {what}: reload the page and try again")
    return value


def _version(value: str) -> int:
    value = _field(value, "version of the state's status")
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"version {value[:20]!r}: expected a whole number; reload the page") from None


def _back(campaign_id: int | str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/campaigns/{campaign_id}{anchor}", status_code=303)


def _write_error(request: Request, campaign_id: str, exc: BlocwatchError) -> Response:
    """The error page of a write, with a way back. The answer to a non-member is the one to a missing id."""
    from blocwatch.errors import NotFound

    back = [{"href": "/campaigns", "label": "Your campaigns"}]
    if not (isinstance(exc, NotFound) and "that you are a member of" in exc.message):
        back.insert(0, {"href": f"/campaigns/{quote(campaign_id.strip(), safe='')}",
                        "label": "Reload the campaign (as it is now) and make the change again"})
    response = error_response(request, exc.http_status, exc.message, exc.close_matches, suggestions=back)
    response.headers.update(NO_STORE)
    return response


# --------------------------------------------------------------------------- pages


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login(request)
    bw = bw_of(request)
    rows = bw.campaigns.list(by=user)
    states = [c for c in api.states_json(bw) if c["status"] != "former"]
    return _page(request, "campaigns.html", title="Campaigns", rows=rows, states=states, api_path="/api/campaigns",
                 can_create=user.can("editor"))


@router.post("/campaigns")
def create_campaign(request: Request, name: str = Form(""), target: str = Form(""),
                    forum: str = Form("hrc")) -> Response:
    user = _account(request)
    bw = bw_of(request)
    try:
        require(user, "editor")
        row = bw.campaigns.create(name, _field(target, "target state"), forum=forum or "hrc", by=user)
    except BlocwatchError as exc:
        response = error_response(request, exc.http_status, exc.message, exc.close_matches,
                                  suggestions=[{"href": "/campaigns", "label": "Back to the campaigns"}])
        response.headers.update(NO_STORE)
        return response
    return _back(row.id)


def _grouped(v: CampaignView, status: str | None, group: str | None) -> list[tuple[str, list[dict]]]:
    """The states by status (committed first), each list by name, kept to ``status`` and ``group`` if given."""
    out: dict[str, list[dict]] = {s: [] for s in STATUS_ORDER}
    for row in v.states:
        if group and (row["group"] or "none") != group:
            continue
        out.setdefault(row["status"], []).append(row)
    return [(s, rows) for s, rows in out.items() if not status or s == status]


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
def campaign_page(request: Request, campaign_id: str, status: str | None = None, group: str | None = None,
                  as_of: str | None = None, note: str | None = None) -> Response:
    user = current_user(request)
    if user is None:
        return _to_login(request)
    bw = bw_of(request)
    v, day = _view(bw, campaign_id, user, as_of=as_of)
    if campaign_id != str(v.id):   # " 7", "007": the permalink
        return RedirectResponse(f"/campaigns/{v.id}" + (f"?{request.url.query}" if request.url.query else ""),
                                status_code=307)
    status = status if status in STATUS_NAMES else None     # an unknown filter shows everything
    group = group if group in registry.GROUPS or group == "none" else None
    latest: dict[str, dict] = {}
    notes_per_state: dict[str, int] = {}
    for n in v.notes:   # newest first
        if n["iso3"]:
            latest.setdefault(n["iso3"], n)
            notes_per_state[n["iso3"]] = notes_per_state.get(n["iso3"], 0) + 1
    committed_by_group: dict[str, list[str]] = {g: [] for g in registry.GROUPS}
    for row in v.states:
        if row["status"] == "committed":
            committed_by_group.setdefault(row["group"] or "none", []).append(row["iso3"])
    names = {row["iso3"]: row["name"] for row in v.states}
    return _page(request, "campaigns_show.html", title=v.name, v=v, me=user, can_edit=user.can("editor"),
                 grouped=_grouped(v, status, group), status_filter=status, group=group, latest=latest,
                 notes_per_state=notes_per_state, committed_by_group=committed_by_group, names=names,
                 forecast_day=day, as_of=(as_of or "").strip()[:40], note_state=note if note in names else "",
                 api_path=f"/api/campaigns/{v.id}",
                 unsaved_url=f"/campaign?target={v.target}&forum={v.forum}"
                             + (f"&as_of={day}" if day else ""))


@router.post("/campaigns/{campaign_id}/status")
def set_status(request: Request, campaign_id: str, state: str = Form(""), status: str = Form(""),
               version: str = Form("")) -> Response:
    user = _account(request)
    try:
        done = bw_of(request).campaigns.set_status(campaign_id, _field(state, "state"), _field(status, "status"),
                                                   version=_version(version), by=user)
    except BlocwatchError as exc:
        return _write_error(request, campaign_id, exc)
    return _back(done.campaign, f"#state-{done.iso3}")


@router.post("/campaigns/{campaign_id}/notes")
def add_note(request: Request, campaign_id: str, text: str = Form(""), state: str = Form("")) -> Response:
    user = _account(request)
    try:
        done = bw_of(request).campaigns.add_note(campaign_id, text, state=state.strip() or None, by=user)
    except BlocwatchError as exc:
        return _write_error(request, campaign_id, exc)
    return _back(done.campaign, f"#note-{done.id}")


@router.post("/campaigns/{campaign_id}/members")
def change_members(request: Request, campaign_id: str, action: str = Form(""),
                   username: str = Form("")) -> Response:
    user = _account(request)
    campaigns = bw_of(request).campaigns
    try:
        if action not in ("add", "remove"):
            raise InvalidInput(f"action {action[:20]!r}: expected add or remove")
        change = campaigns.add_member if action == "add" else campaigns.remove_member
        done = change(campaign_id, _field(username, "account name"), by=user)
    except BlocwatchError as exc:
        return _write_error(request, campaign_id, exc)
    if action == "remove" and username.strip() == user.username:
        return RedirectResponse("/campaigns", status_code=303)   # left it: the page is no longer theirs
    return _back(done.campaign, "#members")


# --------------------------------------------------------------------------- JSON twins


class NewCampaign(BaseModel):
    name: str = Field(max_length=1000, description="What the campaign is for")
    target: str = Field(max_length=200, description="The state the planned statement or text is critical of "
                                                    "(a name or an ISO3 code)")
    forum: str = Field("hrc", description="hrc (Human Rights Council) or ga (General Assembly)")


class StatusChange(BaseModel):
    state: str = Field(max_length=200, description="A state (a name or an ISO3 code)")
    status: str = Field(description="not_contacted, contacted, considering, committed or declined")
    version: int = Field(description="The state's version this change started from (states[].version of GET "
                                     "/api/campaigns/{id}; 0 for a state never set): 409 if it changed since")


class NewNote(BaseModel):
    text: str = Field(max_length=20_000)
    state: str | None = Field(None, max_length=200, description="The state the note is about (none: the whole "
                                                                "campaign)")


class MemberChange(BaseModel):
    action: Literal["add", "remove"]
    username: str = Field(max_length=200)


@api_router.get("/campaigns")
def api_campaigns(request: Request) -> Response:
    """The campaigns of the signed-in account (``campaigns list --json``), and no other."""
    return _json([r.to_json() for r in bw_of(request).campaigns.list(by=_account(request))])


@api_router.post("/campaigns", status_code=201)
def api_create(request: Request, body: NewCampaign) -> Response:
    """(editor) Start a campaign on ``target``; the account is its first member."""
    user = _account(request)
    require(user, "editor")
    row = bw_of(request).campaigns.create(body.name, body.target, forum=body.forum, by=user)
    return _json(row.to_json(), 201)


@api_router.get("/campaigns/{campaign_id}")
def api_campaign(request: Request, campaign_id: str,
                 forecast: bool = Query(True, description="Rank the states not committed by their chance of "
                                                          "voting yes (a few seconds the first time)"),
                 as_of: str | None = Query(None, description="The forecast's day (YYYY-MM-DD; default today, or "
                                                             "the Council's last known day)")) -> Response:
    """(member) One campaign (``campaigns show --json``): members, every state's status and version, the counts,
    the regional coverage of the committed states, the notes (newest first), the forecast of who is likely to
    join (or ``forecast_note``). 404 for anyone who is not a member, as for an id that does not exist."""
    v, day = _view(bw_of(request), campaign_id, _account(request), forecast=forecast, as_of=as_of)
    return _json({**v.to_json(), "forecast_as_of": day})


@api_router.get("/campaigns/{campaign_id}/history")
def api_campaign_history(request: Request, campaign_id: str) -> Response:
    """(member) Every change to the campaign: its audit-log entries, oldest first."""
    return _json(bw_of(request).campaigns.history(campaign_id, by=_account(request)))


@api_router.post("/campaigns/{campaign_id}/status")
def api_set_status(request: Request, campaign_id: str, body: StatusChange) -> Response:
    """(editor member) Set a state's status; 409 naming who changed it and when if ``version`` is stale."""
    done = bw_of(request).campaigns.set_status(campaign_id, body.state, body.status, version=body.version,
                                               by=_account(request))
    return _json(done.to_json())


@api_router.post("/campaigns/{campaign_id}/notes", status_code=201)
def api_add_note(request: Request, campaign_id: str, body: NewNote) -> Response:
    """(editor member) A dated note on ``state`` or on the whole campaign."""
    done = bw_of(request).campaigns.add_note(campaign_id, body.text, state=body.state, by=_account(request))
    return _json(done.to_json(), 201)


@api_router.post("/campaigns/{campaign_id}/members")
def api_members(request: Request, campaign_id: str, body: MemberChange) -> Response:
    """(editor member) Add an account to the members, or remove one (a member may leave; the last one stays)."""
    campaigns = bw_of(request).campaigns
    change = campaigns.add_member if body.action == "add" else campaigns.remove_member
    return _json(change(campaign_id, body.username, by=_account(request)).to_json())
