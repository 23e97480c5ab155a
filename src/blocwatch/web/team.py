"""Team mode in the web app: signing in and out, adding and editing events, reverting a change.

Pages (server-rendered forms; every form of a signed-in account carries its
CSRF token, checked by :class:`blocwatch.web.security.TeamGate`):

==================================  =====================================================================
``GET/POST /login``                 the sign-in form (its own double-submit CSRF cookie); 401 with one
                                    message for a wrong name or password, 429 when rate-limited
``POST /logout``                    ends the session
``GET /events/new``                 (editor) paste a statement's text and its facts
``POST /events/new``                ``action=preview``: every resolved state, every unresolved fragment,
                                    claimed against found (nothing saved); ``action=save`` with the
                                    source URL: stored with its audit-log entry, in one transaction
``GET /events/{id}/edit``           (editor) correct the list; record a late joiner or a withdrawal
``POST /events/{id}/signers``       (editor) add or remove signatories, with a source and a note
``POST /events/{id}/changes``       (editor) a state joined after delivery, or withdrew, on a day
``POST /audit/{entry}/revert``      (admin) undo a change; the event page shows its history
==================================  =====================================================================

Each edit form carries the event's version: a save from a stale form is
refused (409, naming who changed the event and when). The JSON twins live
under ``/api`` (``/api/login``, ``/api/logout``, ``/api/session``,
``/api/events/preview``, ``/api/events``, ``/api/events/{id}/signers``,
``/api/events/{id}/changes``, ``/api/events/{id}/history``,
``/api/audit/{entry}/revert``); their writes take the CSRF token in the
``X-CSRF-Token`` header. Every write route checks the role here and the API
method checks it again (``by=`` the account).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import BaseModel, Field

from blocwatch.api.team import require
from blocwatch.errors import BlocwatchError, InvalidInput
from blocwatch.web import api
from blocwatch.web.render import TEMPLATES, bw_of, error_response
from blocwatch.web.security import (
    CSRF_COOKIE,
    LOGIN_CSRF_COOKIE,
    MAX_BODY,
    SESSION_COOKIE,
    secure_cookies,
)

if TYPE_CHECKING:
    from blocwatch.team.users import User

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["team"])

FORUM_NAMES = {"hrc": "Human Rights Council", "ga_third_committee": "UN General Assembly Third Committee",
               "letter_hrc_president": "Joint letter to the President of the Human Rights Council"}
PUBLISHERS = ("un", "government", "ngo", "news", "mirror")
NEW_FIELDS = ("text", "date", "forum", "stance", "target", "title", "delivered_by", "claimed_count", "session",
              "event_id", "source", "publisher")


def current_user(request: Request | None) -> User | None:
    """The signed-in account of this request (None: anonymous)."""
    return getattr(request.state, "user", None) if request is not None else None


def csrf_field(request: Request | None) -> Markup:
    """The hidden form field with the session's CSRF token (every form of a signed-in account has it)."""
    token = getattr(request.state, "csrf_token", None) if request is not None else None
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(token or "")}">')


TEMPLATES.env.globals.update(current_user=current_user, csrf_field=csrf_field, FORUM_NAMES=FORUM_NAMES,
                             PUBLISHERS=PUBLISHERS)


def _need(role: str):
    def check(request: Request) -> User:
        user = current_user(request)
        require(user, role)
        assert user is not None
        return user

    return check


EDITOR = Depends(_need("editor"))
ADMIN = Depends(_need("admin"))


def _page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    response = TEMPLATES.TemplateResponse(request, template, {"api_path": None, **context}, status_code=status)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never ``//host`` or a scheme)."""
    target = (target or "/").strip()
    if not target.startswith("/") or target.startswith(("//", "/\\")) or target.startswith("/login"):
        return "/"
    return target


def _set_session(response: Response, request: Request, token: str, csrf: str) -> None:
    secure = secure_cookies(request)
    for name, value in ((SESSION_COOKIE, token), (CSRF_COOKIE, csrf)):
        response.set_cookie(name, value, httponly=True, samesite="lax", secure=secure, path="/")


def _end_session(response: Response) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/")


# --------------------------------------------------------------------------- sign in, sign out


def _login_page(request: Request, *, next_url: str, error: str | None = None, status: int = 200,
                username: str = "") -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = _page(request, "login.html", status=status, title="Sign in", next=next_url, login_csrf=token,
                     error=error, username=username, private=getattr(request.state, "private", False))
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=secure_cookies(request),
                        path="/login")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:  # noqa: A002
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
          next: str = Form("/")) -> Response:  # noqa: A002
    next_url = _safe_next(next)
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(), csrf_token.encode()):
        return _login_page(request, next_url=next_url, status=403, username=username,
                           error="this sign-in form has expired or was not sent from this site: try again")
    from blocwatch.errors import NotSignedIn, TooManyAttempts

    try:
        _user, token, csrf = bw_of(request).users.sign_in(username.strip(), password, address=_address(request))
    except (NotSignedIn, TooManyAttempts) as exc:
        return _login_page(request, next_url=next_url, status=exc.http_status, error=exc.message,
                           username=username)
    response = RedirectResponse(next_url, status_code=303)
    _set_session(response, request, token, csrf)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    bw_of(request).users.sign_out(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    _end_session(response)
    return response


class SignIn(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=2000)


@api_router.post("/login")
def api_login(request: Request, body: SignIn) -> Response:
    """Sign in: ``{"user", "csrf_token"}`` and the session cookie; send the token as ``X-CSRF-Token`` with every
    write. A wrong name or password is 401 (one message), too many failures 429."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise InvalidInput("send the sign-in as JSON (Content-Type: application/json)")
    user, token, csrf = bw_of(request).users.sign_in(body.username.strip(), body.password,
                                                     address=_address(request))
    response = JSONResponse({"user": user.to_dict(), "csrf_token": csrf}, headers={"Cache-Control": "no-store"})
    _set_session(response, request, token, csrf)
    return response


@api_router.post("/logout")
def api_logout(request: Request) -> Response:
    """End the session of the cookie sent."""
    bw_of(request).users.sign_out(request.cookies.get(SESSION_COOKIE))
    response = JSONResponse({"signed_out": True})
    _end_session(response)
    return response


@api_router.get("/session")
def api_session(request: Request) -> Response:
    """The account signed in (``{"user": null}`` for nobody)."""
    user = current_user(request)
    return JSONResponse({"user": user.to_dict() if user else None}, headers={"Cache-Control": "no-store"})


# --------------------------------------------------------------------------- adding an event


def _int(value: str | None, what: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{what} {value!r}: expected a whole number") from None


def _day(value: str | None, what: str = "date") -> dt.date:
    value = (value or "").strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what} {value!r}: expected a day as YYYY-MM-DD") from None


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _add_args(form: dict[str, str]) -> dict[str, Any]:
    """``bw.events.add`` keywords from the form's text fields (one clear line for a bad one)."""
    return {"day": _day(form["date"]), "forum": form["forum"] or "hrc", "stance": form["stance"] or "critical",
            "target": form["target"].strip() or "CHN", "title": _blank(form["title"]),
            "delivered_by": _blank(form["delivered_by"]),
            "claimed_count": _int(form["claimed_count"], "claimed count"), "session": _blank(form["session"]),
            "event_id": _blank(form["event_id"]), "publisher": _blank(form["publisher"]),
            "source": _blank(form["source"]), "where": "the pasted text"}


def _new_form(**values: str) -> dict[str, str]:
    return {"forum": "hrc", "stance": "critical", "target": "CHN",
            **{k: "" for k in NEW_FIELDS if k not in ("forum", "stance", "target")},
            **{k: v for k, v in values.items() if v}}


@router.get("/events/new", response_class=HTMLResponse)
def new_event(request: Request, user: User = EDITOR) -> Response:
    return _page(request, "event_new.html", title="Add an event", form=_new_form())


@router.post("/events/new")
def new_event_post(request: Request, user: User = EDITOR, action: str = Form("preview"), text: str = Form(""),
                   date: str = Form(""), forum: str = Form("hrc"), stance: str = Form("critical"),
                   target: str = Form("CHN"), title: str = Form(""), delivered_by: str = Form(""),
                   claimed_count: str = Form(""), session: str = Form(""), event_id: str = Form(""),
                   source: str = Form(""), publisher: str = Form("")) -> Response:
    """``action=preview`` (nothing saved), ``edit`` (back to the form) or ``save`` (needs the source URL)."""
    form = _new_form(text=text, date=date, forum=forum, stance=stance, target=target, title=title,
                     delivered_by=delivered_by, claimed_count=claimed_count, session=session, event_id=event_id,
                     source=source, publisher=publisher)
    if action == "edit":
        return _page(request, "event_new.html", title="Add an event", form=form)
    bw = bw_of(request)
    try:
        args = _add_args(form)
        if action == "save":
            stored = bw.events.add(text, **args, store=True, by=user)
            return RedirectResponse(f"/events/{stored.id}#history", status_code=303)
        preview = bw.events.add(text, **args)
    except BlocwatchError as exc:
        preview = None
        if action == "save":  # show the preview again, with what stopped the save
            try:
                preview = bw.events.add(text, **{**_add_args(form), "source": None})
            except BlocwatchError:
                preview = None
        return _page(request, "event_preview.html" if preview else "event_new.html", status=exc.http_status,
                     title="Add an event", form=form, preview=preview, error=exc.message,
                     close_matches=list(exc.close_matches))
    assert preview is not None
    return _page(request, "event_preview.html", title=f"Preview: {preview.id}", form=form, preview=preview)


class NewEvent(BaseModel):
    text: str = Field(max_length=MAX_BODY, description="The statement's text with its list of states")
    date: dt.date
    forum: str = "hrc"
    stance: str = "critical"
    target: str = "CHN"
    title: str | None = None
    delivered_by: str | None = None
    claimed_count: int | None = None
    session: str | None = None
    event_id: str | None = None
    source: str | None = Field(None, description="The http(s) address of the text (required to store)")
    publisher: str | None = None


def _add_json(body: NewEvent) -> dict[str, Any]:
    return {"day": body.date, "forum": body.forum, "stance": body.stance, "target": body.target,
            "title": body.title, "delivered_by": body.delivered_by, "claimed_count": body.claimed_count,
            "session": body.session, "event_id": body.event_id, "source": body.source,
            "publisher": body.publisher, "where": "text"}


@api_router.post("/events/preview")
def api_preview_event(request: Request, body: NewEvent, user: User = EDITOR) -> Response:
    """(editor) What adding this event would store: resolved states, unresolved fragments, claimed and found
    counts (``events add --json`` without ``--yes``); nothing is written."""
    return JSONResponse(bw_of(request).events.add(body.text, **_add_json(body)).to_json())


@api_router.post("/events", status_code=201)
def api_add_event(request: Request, body: NewEvent, user: User = EDITOR) -> Response:
    """(editor) Store a new event from its text (``source`` required), with its audit-log entry."""
    stored = bw_of(request).events.add(body.text, **_add_json(body), store=True, by=user)
    return JSONResponse(stored.to_json(), status_code=201)


# --------------------------------------------------------------------------- editing an event


def _edit_error(request: Request, event_id: str, exc: BlocwatchError) -> Response:
    return error_response(request, exc.http_status, exc.message, exc.close_matches, suggestions=[
        {"href": f"/events/{event_id}/edit", "label": "Reload the edit page (the event as it is now)"},
        {"href": f"/events/{event_id}#history", "label": "The event and its history"}])


def _version(value: str | int | None) -> int:
    found = _int(str(value) if value is not None else None, "version")
    if found is None:
        raise InvalidInput("the form does not say which version of the event it was loaded with: reload it")
    return found


CHECKED = Form(None)  # checkboxes: the values ticked (none ticked: the field is absent)


def _names(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"[\n;,]+", text or "") if n.strip()]


@router.get("/events/{ref}/edit", response_class=HTMLResponse)
def edit_event(request: Request, ref: str, user: User = EDITOR) -> Response:
    bw = bw_of(request)
    e = api.event_json(bw, ref)
    if ref != e["id"]:
        return RedirectResponse(f"/events/{e['id']}/edit", status_code=307)
    on_list = list(dict.fromkeys([*e["signatories"], *(c["iso3"] for c in e["changes"])]))
    states = [c for c in api.states_json(bw) if c["status"] != "former"]
    return _page(request, "event_edit.html", title=f"Edit: {e['title']}", e=e, version=bw.events.version(e["id"]),
                 on_list=sorted(on_list, key=api.name_of), states=states, today=dt.date.today().isoformat())


@router.post("/events/{ref}/signers")
def edit_signers(request: Request, ref: str, user: User = EDITOR, version: str = Form(""), add: str = Form(""),
                 remove: list[str] | None = CHECKED, source: str = Form(""), note: str = Form("")) -> Response:
    try:
        done = bw_of(request).events.edit_signers(ref, version=_version(version), add=_names(add),
                                                  remove=remove or [],
                                                  source=source, note=note, by=user)
    except BlocwatchError as exc:
        return _edit_error(request, ref, exc)
    return RedirectResponse(f"/events/{done.event_id}#history", status_code=303)


@router.post("/events/{ref}/changes")
def record_change(request: Request, ref: str, user: User = EDITOR, version: str = Form(""), state: str = Form(""),
                  change: str = Form(""), date: str = Form(""), source: str = Form(""),
                  note: str = Form("")) -> Response:
    try:
        done = bw_of(request).events.record_change(ref, state, change, day=_day(date), version=_version(version),
                                                   source=source, note=note, by=user)
    except BlocwatchError as exc:
        return _edit_error(request, ref, exc)
    return RedirectResponse(f"/events/{done.event_id}#history", status_code=303)


@router.post("/audit/{entry_id}/revert")
def revert(request: Request, entry_id: int, user: User = ADMIN, version: str = Form(""),
           note: str = Form("")) -> Response:
    bw = bw_of(request)
    try:
        done = bw.events.revert(entry_id, version=_version(version), note=note or None, by=user)
    except BlocwatchError as exc:
        try:
            event_id = bw.audit.entry(entry_id)["object_id"]
        except BlocwatchError:
            return error_response(request, exc.http_status, exc.message, exc.close_matches)
        return _edit_error(request, event_id, exc)
    return RedirectResponse(f"/events/{done.event_id}#history" if done.version is not None else "/",
                            status_code=303)


class SignersEdit(BaseModel):
    version: int = Field(description="The event's version the change was made on (GET .../history)")
    add: list[str] = Field(default_factory=list, max_length=250, description="States to name (names or codes)")
    remove: list[str] = Field(default_factory=list, max_length=250, description="States to take off the list")
    source: str = Field(max_length=2000)
    note: str = Field(max_length=2000)


class ChangeRecord(BaseModel):
    version: int
    state: str = Field(max_length=200)
    change: str = Field(description="joined or withdrew")
    date: dt.date
    source: str = Field(max_length=2000)
    note: str | None = Field(None, max_length=2000)


class Revert(BaseModel):
    version: int
    note: str | None = Field(None, max_length=2000)


@api_router.get("/events/{ref}/history", response_model=None)
def api_history(request: Request, ref: str) -> Response:
    """The event's version and its audit-log entries, oldest first (who, when, before, after, source)."""
    bw = bw_of(request)
    event_id = bw.events.get(ref).id
    return JSONResponse({"event": event_id, "version": bw.events.version(event_id),
                         "entries": bw.events.history(event_id)})


@api_router.post("/events/{ref}/signers")
def api_edit_signers(request: Request, ref: str, body: SignersEdit, user: User = EDITOR) -> Response:
    """(editor) Correct the list: add and remove signatories, with a source URL and a note; 409 if ``version``
    is stale."""
    done = bw_of(request).events.edit_signers(ref, version=body.version, add=body.add, remove=body.remove,
                                              source=body.source, note=body.note, by=user)
    return JSONResponse(done.to_json())


@api_router.post("/events/{ref}/changes")
def api_record_change(request: Request, ref: str, body: ChangeRecord, user: User = EDITOR) -> Response:
    """(editor) A state joined the list after delivery, or withdrew, on ``date``; 409 if ``version`` is stale."""
    done = bw_of(request).events.record_change(ref, body.state, body.change, day=body.date, version=body.version,
                                               source=body.source, note=body.note, by=user)
    return JSONResponse(done.to_json())


@api_router.post("/audit/{entry_id}/revert")
def api_revert(request: Request, entry_id: int, body: Revert, user: User = ADMIN) -> Response:
    """(admin) Undo a change to an event: the event as it was before the entry, as a new entry."""
    done = bw_of(request).events.revert(entry_id, version=body.version, note=body.note, by=user)
    return JSONResponse(done.to_json())
