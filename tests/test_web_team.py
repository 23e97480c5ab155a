"""Team mode in the web app (issue 12): sign-in, CSRF, roles on every write route, private mode, editing events
with previews, optimistic locking, the history and reverting, no partial state, security headers, size limits.

One private copy of the small database for the module (the shared ``client`` fixture's is never written);
tests that must not see each other's effects use their own client address, event or database copy.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from dbsnapshot import row_counts, snapshot

PASSWORD = "correct horse battery"
EVENT = "2023-10-18-ga78-3c-critical"    # edited by the tests of list corrections
OTHER = "2022-10-31-ga77-3c-critical"    # the concurrency and revert tests
STATEMENT = ("Joint statement delivered by Canada on behalf of 5 countries: Canada, Japan, Australia, "
             "Ruritania and New Zealand.")
SOURCE = "https://www.ohchr.org/en/statements/2026/06/joint-statement"
EDIT_TABLES = ("events", "positions", "event_sources", "sources", "audit_log", "imports")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def bw(small_db_file, tmp_path_factory) -> Iterator[Any]:
    import blocwatch

    path = tmp_path_factory.mktemp("team") / "team.sqlite3"
    shutil.copy(small_db_file, path)
    handle = blocwatch.open(str(path))
    for name, role in (("vera", "viewer"), ("eddie", "editor"), ("emma", "editor"), ("ada", "admin")):
        handle.users.add(name, PASSWORD, role)
    yield handle
    handle.close()


@pytest.fixture(scope="module")
def app(bw):
    from blocwatch.web.app import create_app

    return create_app(bw, private=False)


@pytest.fixture(scope="module")
def private_app(bw):
    from blocwatch.web.app import create_app

    return create_app(bw, private=True)


def sign_in(client: TestClient, name: str) -> str:
    """Sign ``client`` in through the form; the CSRF token its forms carry."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    r = client.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return client.cookies["bw_csrf"]


@pytest.fixture(scope="module")
def as_user(app) -> Iterator[Callable[[str], tuple[TestClient, str]]]:
    """``as_user(name)``: a client signed in as ``name`` (one per name and module) and its CSRF token."""
    clients: dict[str, tuple[TestClient, str]] = {}

    def get(name: str) -> tuple[TestClient, str]:
        if name not in clients:
            client = TestClient(app, client=(f"10.0.0.{len(clients) + 1}", 50000))
            clients[name] = (client, sign_in(client, name))
        return clients[name]

    yield get
    for client, _ in clients.values():
        client.close()


def errors(r) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]+)<', r.text)


def version_in(html: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


# --------------------------------------------------------------------------- sign in, sign out


def test_sign_in_sets_a_safe_session_cookie_and_sign_out_ends_it(app, bw):
    with TestClient(app, client=("10.1.0.1", 50000)) as client:
        form = client.get("/login")
        assert form.status_code == 200 and 'name="csrf_token"' in form.text
        assert "HttpOnly" in form.headers["set-cookie"] and form.headers["cache-control"] == "private, no-store"
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        r = client.post("/login", data={"username": "vera", "password": PASSWORD, "csrf_token": token,
                                        "next": "/states"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/states"
        cookies = r.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("bw_session="))
        assert "HttpOnly" in session and "samesite=lax" in session.lower() and "Secure" not in session
        assert client.get("/api/session").json()["user"]["username"] == "vera"
        page = client.get("/")
        assert "Sign out" in page.text and "vera (viewer)" in page.text
        assert f'value="{client.cookies["bw_csrf"]}"' in page.text   # the sign-out form carries the CSRF token
        old = client.cookies["bw_session"]
        r = client.post("/logout", data={"csrf_token": client.cookies["bw_csrf"]}, follow_redirects=False)
        assert r.status_code == 303
        assert client.get("/api/session").json()["user"] is None
        assert bw.users.session(old) is None


def test_cookies_are_secure_on_https_or_when_configured(app, monkeypatch):
    with TestClient(app, base_url="https://testserver", client=("10.1.0.2", 50000)) as client:
        assert "Secure" in client.get("/login").headers["set-cookie"]
        r = client.post("/api/login", json={"username": "vera", "password": PASSWORD})
        assert r.status_code == 200 and r.json()["csrf_token"]
        assert all("Secure" in c for c in r.headers.get_list("set-cookie"))
        assert r.headers["strict-transport-security"]
    monkeypatch.setenv("BLOCWATCH_SECURE_COOKIES", "1")
    with TestClient(app, client=("10.1.0.3", 50000)) as client:
        assert "Secure" in client.get("/login").headers["set-cookie"]


def test_the_sign_in_form_needs_its_own_csrf_cookie(app):
    with TestClient(app, client=("10.1.0.4", 50000)) as client:
        r = client.post("/login", data={"username": "vera", "password": PASSWORD, "csrf_token": "forged"})
        assert r.status_code == 403 and len(errors(r)) == 1
        assert "bw_session" not in client.cookies
        r = client.post("/api/login", data={"username": "vera", "password": PASSWORD})  # a form, not JSON
        assert r.status_code in (400, 422) and "bw_session" not in client.cookies


def test_a_wrong_password_is_401_with_one_message_then_429(app):
    from blocwatch.team.users import MAX_FAILURES

    with TestClient(app, client=("10.1.0.5", 50000)) as client:
        for attempt in range(MAX_FAILURES):
            form = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
            name = "eddie" if attempt % 2 else "nobody"   # the same words whether or not the name exists
            r = client.post("/login", data={"username": name, "password": "wrong password!", "csrf_token": token})
            assert r.status_code == 401 and errors(r) == ["wrong account name or password"]
        r = client.post("/api/login", json={"username": "eddie", "password": PASSWORD})   # the right one, too late
        assert r.status_code == 429 and r.json()["error"].startswith("too many failed sign-ins")
        assert "bw_session" not in client.cookies
    with TestClient(app, client=("10.1.0.6", 50000)) as other:       # another address is not locked
        assert other.post("/api/login", json={"username": "emma", "password": "nope nope nope"}).status_code == 401


# --------------------------------------------------------------------------- every write route


def _ok_calls(bw, campaign: int) -> dict[tuple[str, str], tuple[str, Callable[[], dict[str, Any]]]]:
    """How an account with the role may call each write route: {(method, path): (role, request kwargs)}.

    The routes of one campaign are called on ``campaign``, of which the three accounts are members (what a
    non-member gets, the 404 of a missing id, is tests/test_web_campaigns.py's)."""
    new = {"text": STATEMENT, "date": "2026-06-20", "forum": "hrc", "stance": "critical", "session": "HRC62"}
    count = iter(range(1000))

    def v() -> int:
        return bw.events.version(EVENT)

    def status() -> dict[str, Any]:   # Spain's status changed from the version it has now
        row = bw.campaigns.show(campaign, by=bw.users.get("eddie"), forecast=False).state("ESP")
        return {"state": "ESP", "status": "contacted" if row["status"] == "committed" else "committed",
                "version": row["version"]}

    def member() -> dict[str, str]:   # emma in, then out again
        members = bw.campaigns.show(campaign, by=bw.users.get("eddie"), forecast=False).members
        return {"action": "remove" if "emma" in {m["username"] for m in members} else "add", "username": "emma"}

    return {
        ("POST", "/logout"): ("viewer", lambda: {"data": {}}),
        ("POST", "/api/logout"): ("viewer", lambda: {}),
        ("POST", "/events/new"): ("editor", lambda: {"data": {**new, "action": "preview"}}),
        ("POST", "/events/{ref}/signers"): ("editor", lambda: {"data": {
            "version": v(), "add": "Chile", "source": SOURCE, "note": "route check"}}),
        ("POST", "/events/{ref}/changes"): ("editor", lambda: {"data": {
            "version": v(), "state": "Tonga", "change": "joined", "date": "2024-01-05", "source": SOURCE}}),
        ("POST", "/audit/{entry_id}/revert"): ("admin", lambda: {"data": {"version": v()}}),
        ("POST", "/api/events/preview"): ("editor", lambda: {"json": new}),
        ("POST", "/api/events"): ("editor", lambda: {"json": {**new, "source": SOURCE,
                                                             "event_id": f"route-check-{next(count)}"}}),
        ("POST", "/api/events/{ref}/signers"): ("editor", lambda: {"json": {
            "version": v(), "add": ["Peru"], "source": SOURCE, "note": "route check"}}),
        ("POST", "/api/events/{ref}/changes"): ("editor", lambda: {"json": {
            "version": v(), "state": "KEN", "change": "joined", "date": "2024-01-05", "source": SOURCE}}),
        ("POST", "/api/audit/{entry_id}/revert"): ("admin", lambda: {"json": {"version": v()}}),
        ("POST", "/campaigns"): ("editor", lambda: {"data": {"name": "route check", "target": "ERI", "forum": "ga"}}),
        ("POST", "/campaigns/{campaign_id}/status"): ("editor", lambda: {"data": status()}),
        ("POST", "/campaigns/{campaign_id}/notes"): ("editor", lambda: {"data": {"text": "route check"}}),
        ("POST", "/campaigns/{campaign_id}/members"): ("editor", lambda: {"data": member()}),
        ("POST", "/api/campaigns"): ("editor", lambda: {"json": {"name": "route check", "target": "ERI"}}),
        ("POST", "/api/campaigns/{campaign_id}/status"): ("editor", lambda: {"json": status()}),
        ("POST", "/api/campaigns/{campaign_id}/notes"): ("editor", lambda: {"json": {"text": "route check",
                                                                                     "state": "ESP"}}),
        ("POST", "/api/campaigns/{campaign_id}/members"): ("editor", lambda: {"json": member()}),
    }


SIGN_IN_ROUTES = {("POST", "/login"), ("POST", "/api/login")}
ROLES = ("viewer", "editor", "admin")
USERS = {"viewer": "vera", "editor": "eddie", "admin": "ada"}


def _routes(app) -> list[tuple[str, set[str]]]:
    """Every (path, methods) the app answers: its own routes, those of the routers it includes (FastAPI keeps
    them apart: ``effective_route_contexts``), a mounted folder as ``/static/*``."""
    from starlette.routing import Mount

    found: list[tuple[str, set[str]]] = []
    for r in app.routes:
        if hasattr(r, "effective_route_contexts"):
            found += [(c.path, set(c.methods or ())) for c in r.effective_route_contexts()]
        elif isinstance(r, Mount):
            found.append((r.path + "/*", {"GET"}))
        else:
            found.append((r.path, set(getattr(r, "methods", None) or ())))
    return found


def _write_routes(app) -> set[tuple[str, str]]:
    return {(m, path) for path, methods in _routes(app) for m in methods & {"POST", "PUT", "PATCH", "DELETE"}}


def _url(path: str, bw, campaign: int) -> str:
    entry = lambda: str(bw.events.history(EVENT)[-1]["id"]) if bw.events.history(EVENT) else "1"  # noqa: E731
    return path.replace("{ref}", EVENT).replace("{entry_id}", entry()).replace("{campaign_id}", str(campaign))


@pytest.fixture(scope="module")
def campaign(bw) -> int:
    """A campaign of which the viewer, the editor and the admin of USERS are members."""
    eddie = bw.users.get("eddie")
    made = bw.campaigns.create("Route checks", "China", by=eddie)
    for name in ("vera", "ada"):
        bw.campaigns.add_member(made.id, name, by=eddie)
    return made.id


def test_every_write_route_needs_an_account_the_csrf_token_and_the_role(app, bw, as_user, campaign):
    calls = _ok_calls(bw, campaign)
    routes = _write_routes(app)
    assert routes - SIGN_IN_ROUTES == set(calls), "a write route without a case here (add it to _ok_calls)"
    order = sorted(calls, key=lambda k: (k[1].endswith("revert"), "logout" in k[1], k))  # revert the edits last
    with TestClient(app, client=("10.2.0.1", 50000)) as anonymous:
        for method, path in order:
            r = anonymous.request(method, _url(path, bw, campaign), **calls[method, path][1]())
            assert r.status_code == 401, (path, r.status_code)
    editor, csrf = as_user("eddie")
    for method, path in order:
        if "logout" in path:
            continue
        kwargs = calls[method, path][1]()
        for wrong in (None, "forged-token"):
            sent = dict(kwargs)
            if "data" in sent:
                sent["data"] = {**sent["data"], **({"csrf_token": wrong} if wrong else {})}
            else:
                sent["headers"] = {"X-CSRF-Token": wrong} if wrong else {}
            r = editor.request(method, _url(path, bw, campaign), **sent)
            assert r.status_code == 403, (path, wrong, r.status_code)
            assert "csrf" in r.text.lower()
    for method, path in order:
        needed, kwargs = calls[method, path]
        for role in ROLES:
            if "logout" in path and role != "viewer":
                continue
            client, token = as_user(USERS[role]) if "logout" not in path else _fresh(app, "vera")
            sent = kwargs()
            if "data" in sent:
                sent["data"] = {**sent["data"], "csrf_token": token}
            else:
                sent["headers"] = {"X-CSRF-Token": token}
            r = client.request(method, _url(path, bw, campaign), follow_redirects=False, **sent)
            allowed = ROLES.index(role) >= ROLES.index(needed)
            if allowed:
                assert r.status_code in (200, 201, 303), (path, role, r.status_code, r.text[:300])
            else:
                assert r.status_code == 403, (path, role, r.status_code)
            if allowed and needed == "editor" and path.endswith(("signers", "changes")) and role == "editor":
                break  # one change per route is enough (the admin's would find Chile already there)


def _fresh(app, name: str) -> tuple[TestClient, str]:
    client = TestClient(app, client=("10.2.0.9", 50000))
    return client, sign_in(client, name)


# --------------------------------------------------------------------------- private mode and the caches


def _get_routes(app) -> list[str]:
    return [re.sub(r"\{[^}]+\}", "x", path).replace("/*", "/app.css") for path, methods in _routes(app)
            if "GET" in methods]


def test_private_mode_hides_every_page_and_api_route_from_anonymous_users(private_app, app):
    paths = _get_routes(private_app)
    assert "/api/home" in paths and "/" in paths and "/openapi.json" in paths and "/charts/x/x" in paths
    # Fill the caches first: anonymous reads of the public app on the same handle, a signed-in read here.
    with TestClient(app, client=("10.3.0.1", 50000)) as public:
        for path in ("/", "/api/home", f"/events/{EVENT}", f"/api/events/{EVENT}"):
            assert public.get(path).status_code == 200
    with TestClient(private_app, client=("10.3.0.2", 50000)) as reader:
        sign_in(reader, "vera")
        for path in ("/", "/api/home", f"/events/{EVENT}", f"/api/events/{EVENT}"):
            r = reader.get(path)
            assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store", path
    with TestClient(private_app, client=("10.3.0.3", 50000)) as anonymous:
        for path in [*paths, f"/events/{EVENT}", f"/api/events/{EVENT}", "/api/states/CHN", "/nowhere"]:
            if path in ("/login", "/static/app.css"):
                assert anonymous.get(path).status_code == 200, path
                continue
            if path == "/static/vega.js":   # a static file too (not built here: it takes seconds)
                continue
            r = anonymous.get(path, follow_redirects=False)
            if path.startswith("/api") or path == "/openapi.json":
                assert r.status_code == 401 and r.json()["error"].startswith("sign in"), path
            else:
                assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
            assert "etag" not in r.headers, path
        assert anonymous.get("/", headers={"If-None-Match": "*"}, follow_redirects=False).status_code == 303
        assert "This site is private" in anonymous.get("/login").text


def test_a_signed_in_page_is_never_served_to_anyone_else(app, as_user):
    page = f"/events/{EVENT}"
    with TestClient(app, client=("10.4.0.1", 50000)) as anonymous:
        first = anonymous.get(page)
        assert first.status_code == 200 and "Sign in" in first.text and "etag" in first.headers
        editor, csrf = as_user("emma")
        mine = editor.get(page)
        assert "Edit this event" in mine.text and csrf in mine.text and "emma (editor)" in mine.text
        assert "etag" not in mine.headers and mine.headers["cache-control"] == "private, no-store"
        again = anonymous.get(page)
        assert again.text == first.text and "emma" not in again.text and csrf not in again.text
        api = editor.get("/api/home")
        assert api.headers["cache-control"] == "private, no-store" and "etag" not in api.headers


# --------------------------------------------------------------------------- adding an event


def _new_form(csrf: str, **extra: str) -> dict[str, str]:
    return {"csrf_token": csrf, "text": STATEMENT, "date": "2026-06-20", "forum": "hrc", "stance": "critical",
            "session": "HRC63", "delivered_by": "Canada", "action": "preview", **extra}


def test_the_preview_shows_what_was_found_and_saves_nothing(bw, as_user):
    editor, csrf = as_user("eddie")
    assert 'name="text"' in editor.get("/events/new").text
    before = row_counts(bw.engine)
    r = editor.post("/events/new", data=_new_form(csrf))
    assert r.status_code == 200, r.text[:500]
    html = r.text
    for iso3 in ("CAN", "JPN", "AUS", "NZL"):
        assert f"<td>{iso3}</td>" in html
    assert "<li>Ruritania</li>" in html                                   # the unresolved fragment
    assert re.search(r"<dt>Claimed</dt><dd>5</dd>", html) and "<dt>Found</dt><dd>4 — <strong>1 fewer" in html
    assert row_counts(bw.engine) == before
    assert editor.post("/api/events/preview", json={"text": STATEMENT, "date": "2026-06-20", "session": "HRC63"},
                       headers={"X-CSRF-Token": csrf}).json()["unresolved"] == ["Ruritania"]
    assert row_counts(bw.engine) == before


def test_saving_needs_the_source_then_stores_the_event_with_its_audit_entry(bw, as_user):
    editor, csrf = as_user("eddie")
    before = row_counts(bw.engine)
    r = editor.post("/events/new", data=_new_form(csrf, action="save"))
    assert r.status_code == 400 and errors(r) == ["give the source URL of the text before saving the event; "
                                                  "nothing was saved"]
    assert "<li>Ruritania</li>" in r.text                                  # the preview is shown again
    assert row_counts(bw.engine) == before
    r = editor.post("/events/new", data=_new_form(csrf, action="save", source=SOURCE), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/events/2026-06-20-hrc63-critical#history"
    shown = bw.events.show("2026-06-20-hrc63-critical")                   # seen at once (data version)
    assert shown.signatories == ["CAN", "JPN", "AUS", "NZL"]
    (entry,) = bw.events.history("2026-06-20-hrc63-critical")
    assert entry["user"] == "eddie" and entry["action"] == "add" and entry["before"] is None
    assert entry["source_url"] == SOURCE
    assert [p["iso3"] for p in entry["after"]["positions"]] == ["CAN", "JPN", "AUS", "NZL"]
    page = editor.get(r.headers["location"])
    assert "eddie: added the event" in page.text
    assert editor.post("/events/new", data=_new_form(csrf, action="save", source=SOURCE)).status_code == 409


# --------------------------------------------------------------------------- editing, locking, reverting


def _positions(bw, event_id: str) -> list[tuple]:
    with bw.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT iso3, position, joined_on, withdrew_on, ordinal, name_in_source, source_id, note FROM positions "
            "WHERE event_id = :e ORDER BY iso3"), {"e": event_id})]


def test_a_stale_save_is_refused_naming_who_saved_first(bw, as_user):
    eddie, eddie_csrf = as_user("eddie")
    emma, emma_csrf = as_user("emma")
    page = f"/events/{OTHER}/edit"
    v_eddie, v_emma = version_in(eddie.get(page).text), version_in(emma.get(page).text)
    assert v_eddie == v_emma
    r = eddie.post(f"/events/{OTHER}/signers", data={"csrf_token": eddie_csrf, "version": v_eddie,
                                                     "add": "Chile\nPeru", "source": SOURCE,
                                                     "note": "two more in the final list"}, follow_redirects=False)
    assert r.status_code == 303
    mine = _positions(bw, OTHER)
    r = emma.post(f"/events/{OTHER}/signers", data={"csrf_token": emma_csrf, "version": v_emma, "add": "Fiji",
                                                    "source": SOURCE, "note": "one more"})
    assert r.status_code == 409
    (message,) = errors(r)
    assert "changed by eddie (corrected the list at " in message and "nothing was saved" in message
    assert f'href="/events/{OTHER}/edit"' in r.text
    assert _positions(bw, OTHER) == mine and bw.events.version(OTHER) == v_eddie + 1
    r = emma.post(f"/api/events/{OTHER}/changes", headers={"X-CSRF-Token": emma_csrf}, json={
        "version": v_emma, "state": "Fiji", "change": "joined", "date": "2023-01-10", "source": SOURCE})
    assert r.status_code == 409 and "eddie" in r.json()["error"]


def test_two_saves_at_once_one_wins_the_other_is_refused(bw):
    """Two editors' saves on the same version in two threads: one is stored, the other gets a Conflict."""
    from concurrent.futures import ThreadPoolExecutor

    from blocwatch.errors import Conflict

    event = "2022-06-14-hrc50-critical"
    v = bw.events.version(event)
    editors = {"eddie": "Cuba", "emma": "Egypt"}

    def save(name: str) -> str:
        try:
            bw.events.edit_signers(event, version=v, add=[editors[name]], source=SOURCE, note="at once",
                                   by=bw.users.get(name))
        except Conflict as exc:
            return str(exc)
        return "saved"

    with ThreadPoolExecutor(2) as pool:
        outcomes = dict(zip(editors, pool.map(save, editors), strict=True))
    assert list(outcomes.values()).count("saved") == 1, outcomes
    winner = next(n for n, o in outcomes.items() if o == "saved")
    loser = next(n for n in editors if n != winner)
    assert f"changed by {winner} " in outcomes[loser]
    signers = bw.events.get(event).signatories
    assert {"CUB": "Cuba", "EGY": "Egypt"}.keys() & set(signers) == {bw.countries.get(editors[winner]).iso3}
    assert bw.events.version(event) == v + 1


def test_late_joiner_and_withdrawal_are_dated_changes_with_their_source(bw, as_user):
    editor, csrf = as_user("emma")
    event = "2021-06-22-hrc47-critical"
    v = version_in(editor.get(f"/events/{event}/edit").text)
    r = editor.post(f"/events/{event}/changes", data={"csrf_token": csrf, "version": v, "state": "Kenya",
                                                      "change": "joined", "date": "2021-07-01", "source": SOURCE,
                                                      "note": "Kenya joined the statement"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    r = editor.post(f"/events/{event}/changes", data={"csrf_token": csrf, "version": v + 1, "state": "KEN",
                                                      "change": "withdrew", "date": "2021-06-01", "source": SOURCE})
    assert r.status_code == 400 and errors(r)[0].startswith("date 2021-06-01: before the event")
    r = editor.post(f"/events/{event}/changes", data={"csrf_token": csrf, "version": v + 1, "state": "KEN",
                                                      "change": "withdrew", "date": "2021-08-01", "source": SOURCE},
                    follow_redirects=False)
    assert r.status_code == 303
    changes = {(c["iso3"], c["change"]): c for c in bw.events.show(event).to_json()["changes"]}
    assert changes["KEN", "joined"]["date"] == "2021-07-01" and changes["KEN", "withdrew"]["date"] == "2021-08-01"
    assert changes["KEN", "withdrew"]["source"] == SOURCE
    assert "KEN" not in bw.events.get(event).signatories
    history = editor.get(f"/events/{event}").text
    assert "emma: recorded a late joiner" in history and "emma: recorded a withdrawal" in history


def test_an_admin_reverts_a_change_exactly_and_the_revert_is_version_checked(bw, as_user):
    event = "2020-10-06-ga75-3c-critical"
    before_signers = bw.events.get(event).signers
    before_rows = _positions(bw, event)
    editor, csrf = as_user("eddie")
    v = bw.events.version(event)
    on_list = bw.events.get(event).signatories
    r = editor.post(f"/events/{event}/signers", data={"csrf_token": csrf, "version": v, "add": "Chile",
                                                      "remove": on_list[:2], "source": SOURCE,
                                                      "note": "a wrong correction"}, follow_redirects=False)
    assert r.status_code == 303
    entry = bw.events.history(event)[-1]
    assert entry["changes"][:2] == ["added to the list: CHL", f"removed from the list: {', '.join(on_list[:2])}"]
    assert editor.post(f"/audit/{entry['id']}/revert", data={"csrf_token": csrf, "version": v + 1}).status_code == 403
    admin, admin_csrf = as_user("ada")
    page = admin.get(f"/events/{event}").text
    assert f'action="/audit/{entry["id"]}/revert"' in page and version_in(page) == v + 1
    r = admin.post(f"/audit/{entry['id']}/revert", data={"csrf_token": admin_csrf, "version": v})   # stale
    assert r.status_code == 409 and "changed by eddie" in errors(r)[0]
    r = admin.post(f"/audit/{entry['id']}/revert", data={"csrf_token": admin_csrf, "version": v + 1},
                   follow_redirects=False)
    assert r.status_code == 303
    assert bw.events.get(event).signers == before_signers
    assert [row[:6] + row[7:] for row in _positions(bw, event)] == [row[:6] + row[7:] for row in before_rows]
    undo = bw.events.history(event)[-1]
    assert undo["reverts"] == entry["id"] and undo["user"] == "ada" and bw.events.version(event) == v + 2
    assert bw.events.history(event)[-2]["reverted_by"] == undo["id"]
    r = admin.post(f"/audit/{entry['id']}/revert", data={"csrf_token": admin_csrf, "version": v + 2})
    assert r.status_code == 409 and "already reverted" in errors(r)[0]


def test_an_edit_interrupted_half_way_leaves_nothing_behind(app, bw, as_user, monkeypatch):
    from blocwatch.team import audit, edits

    editor, csrf = as_user("eddie")
    tables = snapshot(bw.engine, EDIT_TABLES)
    v = bw.events.version(EVENT)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(audit, "record", broken)   # after the positions and the version are written
    with TestClient(app, raise_server_exceptions=False, cookies=editor.cookies,
                    client=("10.0.0.99", 50000)) as same:
        r = same.post(f"/events/{EVENT}/signers", data={"csrf_token": csrf, "version": v, "add": "Cuba, Egypt",
                                                        "remove": bw.events.get(EVENT).signatories[:1],
                                                        "source": "https://www.un.org/new-source", "note": "x"})
        assert r.status_code == 500
        monkeypatch.setattr(edits, "record_added", broken)
        r = same.post("/events/new", data=_new_form(csrf, action="save", source=SOURCE, session="HRC64"))
        assert r.status_code == 500
    assert snapshot(bw.engine, EDIT_TABLES) == tables and bw.events.version(EVENT) == v


# --------------------------------------------------------------------------- headers and limits


def test_security_headers_on_every_kind_of_response(app):
    with TestClient(app, client=("10.5.0.1", 50000)) as client:
        for path in ("/", "/api/home", "/static/app.css", "/nowhere", "/api/nowhere", "/login",
                     f"/charts/event-groups/{EVENT}.json"):
            r = client.get(path)
            h = r.headers
            csp = h["content-security-policy"]
            assert "script-src 'self' 'unsafe-eval'" in csp and "frame-ancestors 'none'" in csp, path
            assert "connect-src 'self'" in csp and "img-src 'self'" in csp and "https:" not in csp
            assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "same-origin", path
            assert h["x-frame-options"] == "DENY" and "camera=()" in h["permissions-policy"], path
        embed = client.get(f"/charts/event-groups/{EVENT}")
        assert embed.status_code == 200 and "x-frame-options" not in embed.headers
        assert "frame-ancestors *" in embed.headers["content-security-policy"]


def test_a_paste_over_1_mb_is_refused_with_413(as_user, bw):
    editor, csrf = as_user("eddie")
    before = row_counts(bw.engine)
    big = _new_form(csrf, text=STATEMENT + " x" * 1_000_000)
    r = editor.post("/events/new", data=big)
    assert r.status_code == 413 and len(errors(r)) == 1 and "larger than 1 MB" in errors(r)[0]

    def chunks():   # no Content-Length: counted as it streams
        for _ in range(40):
            yield b"text=" + b"x" * 50_000 + b"&"

    r = editor.post("/api/events/preview", content=chunks(), headers={"X-CSRF-Token": csrf,
                                                                       "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"].startswith("the request is larger than 1 MB")
    assert row_counts(bw.engine) == before
