"""Stored campaigns in the web app (issue 12, items 3 and 6): every page and JSON route tried as anonymous, as
viewers, editors and admins who are not members (the 404 of a missing id, nothing leaked, nothing written), as a
viewer member (reads; 403 on writes) and an editor member (works); CSRF; a stale status (409, the first change
kept); the coverage and the notes as the page shows them; the forecast; nothing about a campaign anywhere else;
never cached.

One private copy of the small database for the module (``small_db_file``, as ``test_web_team``: the fixture
the copy comes from is per test). The forecast of who may join takes seconds each time the stored data change
(every campaign change is one): the module replaces it with a stub, and one test runs the real one.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from blocwatch.api.campaigns import Campaigns

from dbsnapshot import snapshot

REAL_FORECAST = Campaigns._forecast   # before the module's fixture replaces it

PASSWORD = "correct horse battery"
SECRET_NAME = "Operation Quokka"        # the campaign's name and a note: never seen by anyone but its members
SECRET_NOTE = "quokka-whisper-4711 the mission will sign"
SECRETS = ("operation quokka", "whisper-4711 the mission")   # searched for by one word of each
CAMPAIGN_TABLES = ("campaigns", "campaign_members", "campaign_states", "campaign_notes", "audit_log")
MISSING = 987654
NO_FORECAST = "no forecast here: the tests' stub"
USERS = {"eddie": "editor", "emma": "editor", "vera": "viewer", "outv": "viewer", "oute": "editor",
         "outa": "admin"}
OUTSIDERS = ("outv", "oute", "outa")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def bw(small_db_file, tmp_path_factory) -> Iterator[Any]:
    """The accounts (cheap password hashes), and the campaign on China by eddie with emma (editor) and vera
    (viewer) as members and a note; the forecast is a stub (see the module docstring)."""
    from argon2 import PasswordHasher

    import blocwatch
    from blocwatch.team import users

    path = tmp_path_factory.mktemp("campaigns") / "campaigns.sqlite3"
    shutil.copy(small_db_file, path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        patch.setattr(Campaigns, "_forecast", lambda self, data, as_of: (None, NO_FORECAST))
        handle = blocwatch.open(str(path))
        for name, role in USERS.items():
            handle.users.add(name, PASSWORD, role)
        yield handle
        handle.close()


@pytest.fixture(scope="module")
def cid(bw) -> int:
    eddie = bw.users.get("eddie")
    campaign = bw.campaigns.create(SECRET_NAME, "China", forum="hrc", by=eddie)
    for name in ("emma", "vera"):
        bw.campaigns.add_member(campaign.id, name, by=eddie)
    bw.campaigns.add_note(campaign.id, SECRET_NOTE, state="Spain", by=eddie)
    return campaign.id


@pytest.fixture(scope="module")
def app(bw):
    from blocwatch.web.app import create_app

    return create_app(bw, private=False)


@pytest.fixture(scope="module")
def as_user(app) -> Iterator[Callable[[str], tuple[TestClient, str]]]:
    """``as_user(name)``: a client signed in as ``name`` (through ``/api/login``) and its CSRF token."""
    clients: dict[str, tuple[TestClient, str]] = {}

    def get(name: str) -> tuple[TestClient, str]:
        if name not in clients:
            client = TestClient(app, client=(f"10.9.0.{len(clients) + 1}", 50000))
            r = client.post("/api/login", json={"username": name, "password": PASSWORD})
            assert r.status_code == 200, r.text
            clients[name] = (client, r.json()["csrf_token"])
        return clients[name]

    yield get
    for client, _ in clients.values():
        client.close()


def errors(r) -> list[str]:
    """The one-line error of a page or of a JSON answer."""
    if r.headers.get("content-type", "").startswith("application/json"):
        return [r.json()["error"]]
    return re.findall(r'class="error"[^>]*>([^<]+)<', r.text)


def leaked(r) -> list[str]:
    return [s for s in SECRETS if s in r.text.lower()]


def tables(bw) -> dict[str, list[tuple]]:
    return snapshot(bw.engine, CAMPAIGN_TABLES)


def version(bw, cid: int, state: str = "ESP") -> int:
    return bw.campaigns.show(cid, by=bw.users.get("eddie"), forecast=False).state(state)["version"]


def send(client: TestClient, token: str | None, method: str, url: str, kwargs: dict[str, Any], **extra: Any):
    """The request with the CSRF token where a form (field) or the API (header) carries it (None: without)."""
    sent = dict(kwargs)
    if token is not None and method == "POST":
        if "data" in sent:
            sent["data"] = {**sent["data"], "csrf_token": token}
        else:
            sent["headers"] = {"X-CSRF-Token": token}
    return client.request(method, url, follow_redirects=False, **sent, **extra)


def routes(bw, cid: int) -> dict[tuple[str, str], Callable[[], dict[str, Any]]]:
    """Every route about one campaign and valid arguments for it: {(method, path): () -> request kwargs}."""
    return {
        ("GET", "/campaigns/{campaign_id}"): lambda: {},
        ("POST", "/campaigns/{campaign_id}/status"): lambda: {"data": {
            "state": "ESP", "status": "committed", "version": str(version(bw, cid))}},
        ("POST", "/campaigns/{campaign_id}/notes"): lambda: {"data": {"text": "spoke to them", "state": "ESP"}},
        ("POST", "/campaigns/{campaign_id}/members"): lambda: {"data": {"action": "add", "username": "outv"}},
        ("GET", "/api/campaigns/{campaign_id}"): lambda: {"params": {"forecast": "false"}},
        ("GET", "/api/campaigns/{campaign_id}/history"): lambda: {},
        ("POST", "/api/campaigns/{campaign_id}/status"): lambda: {"json": {
            "state": "Spain", "status": "committed", "version": version(bw, cid)}},
        ("POST", "/api/campaigns/{campaign_id}/notes"): lambda: {"json": {"text": "spoke to them"}},
        ("POST", "/api/campaigns/{campaign_id}/members"): lambda: {"json": {"action": "add", "username": "outa"}},
    }


LIST_ROUTES = {("GET", "/campaigns"), ("POST", "/campaigns"), ("GET", "/api/campaigns"), ("POST", "/api/campaigns")}


def url(path: str, campaign: int | str) -> str:
    return path.replace("{campaign_id}", str(campaign))


# --------------------------------------------------------------------------- who may do what


def test_every_campaign_route_has_a_case_here(app, bw, cid):
    contexts = [c for r in app.routes if hasattr(r, "effective_route_contexts") for c in r.effective_route_contexts()]
    found = {(m, c.path) for c in contexts if c.path.startswith(("/campaigns", "/api/campaigns"))
             for m in c.methods or () if m != "HEAD"}
    assert found == set(routes(bw, cid)) | LIST_ROUTES, "a campaign route without a case in routes()"


def test_anonymous_gets_401_on_the_api_and_the_sign_in_page_for_pages(app, bw, cid):
    before = tables(bw)
    with TestClient(app, client=("10.9.1.1", 50000)) as anonymous:
        for (method, path), kwargs in [*routes(bw, cid).items(),
                                       *(((m, p), lambda: {"data": {"name": "x", "target": "CHN"}})
                                         for m, p in LIST_ROUTES if p == "/campaigns"),
                                       *(((m, p), lambda: {"json": {"name": "x", "target": "CHN"}})
                                         for m, p in LIST_ROUTES if p == "/api/campaigns")]:
            for campaign in (cid, MISSING):
                r = send(anonymous, None, method, url(path, campaign), kwargs())
                if method == "GET" and not path.startswith("/api"):
                    assert r.status_code == 303, (path, r.status_code)
                    assert r.headers["location"] == f"/login?next=%2F{url(path, campaign)[1:].replace('/', '%2F')}"
                else:
                    assert r.status_code == 401, (method, path, r.status_code)
                    assert errors(r) and errors(r)[0].startswith("sign in"), (path, errors(r))
                assert not leaked(r) and "etag" not in r.headers
    assert tables(bw) == before


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_non_members_get_the_404_of_a_missing_id_on_every_route_and_nothing_is_written(as_user, bw, cid,
                                                                                        outsider):
    client, token = as_user(outsider)
    before = tables(bw)
    for (method, path), kwargs in routes(bw, cid).items():
        r = send(client, token, method, url(path, cid), kwargs())
        missing = send(client, token, method, url(path, MISSING), kwargs())
        assert r.status_code == missing.status_code == 404, (outsider, path, r.status_code, missing.status_code)
        assert errors(r) == [f"no campaign {cid} that you are a member of"], (outsider, path, errors(r))
        assert [e.replace(str(MISSING), str(cid)) for e in errors(missing)] == errors(r)
        if path.startswith("/api"):
            assert r.json() == {**missing.json(), "error": errors(r)[0]}
        assert not leaked(r), (outsider, path)
    assert tables(bw) == before
    for path in ("/campaigns", "/api/campaigns"):
        r = client.get(path)
        assert r.status_code == 200 and not leaked(r)
    assert client.get("/api/campaigns").json() == []


def test_a_viewer_member_reads_and_gets_403_on_every_write(as_user, bw, cid):
    client, token = as_user("vera")
    page = client.get(f"/campaigns/{cid}")
    assert page.status_code == 200 and SECRET_NAME in page.text and SECRET_NOTE in page.text
    assert "changing it needs the editor role" in page.text
    assert f'action="/campaigns/{cid}/status"' not in page.text and 'action="/campaigns"' not in page.text
    assert client.get(f"/api/campaigns/{cid}?forecast=false").json()["name"] == SECRET_NAME
    assert client.get(f"/api/campaigns/{cid}/history").json()[0]["action"] == "create"
    assert [r["id"] for r in client.get("/api/campaigns").json()] == [cid]
    assert 'action="/campaigns"' not in client.get("/campaigns").text     # no form to start one
    before = tables(bw)
    for (method, path), kwargs in routes(bw, cid).items():
        if method == "POST":
            r = send(client, token, method, url(path, cid), kwargs())
            assert r.status_code == 403 and "editor role" in errors(r)[0], (path, r.status_code)
    for path, kwargs in (("/campaigns", {"data": {"name": "mine", "target": "ERI"}}),
                         ("/api/campaigns", {"json": {"name": "mine", "target": "ERI"}})):
        r = send(client, token, "POST", path, kwargs)
        assert r.status_code == 403 and "editor" in errors(r)[0], path
    assert tables(bw) == before


def test_csrf_missing_or_wrong_is_403_and_nothing_is_written(as_user, bw, cid):
    client, _token = as_user("eddie")
    before = tables(bw)
    posts = [(m, p, k) for (m, p), k in routes(bw, cid).items() if m == "POST"]
    posts += [("POST", "/campaigns", lambda: {"data": {"name": "x", "target": "ERI"}}),
              ("POST", "/api/campaigns", lambda: {"json": {"name": "x", "target": "ERI"}})]
    for _method, path, kwargs in posts:
        for wrong in (None, "forged-token"):
            r = send(client, wrong, "POST", url(path, cid), kwargs())
            assert r.status_code == 403 and "csrf" in errors(r)[0].lower(), (path, wrong, r.status_code)
    assert tables(bw) == before


# --------------------------------------------------------------------------- an editor member works


def test_an_editor_member_starts_a_campaign_and_changes_it_through_the_forms(as_user, bw):
    client, token = as_user("emma")
    form = client.get("/campaigns")
    assert 'action="/campaigns"' in form.text and 'name="target"' in form.text
    r = send(client, token, "POST", "/campaigns", {"data": {"name": "Eritrea 2027", "target": "ERI",
                                                            "forum": "ga"}})
    assert r.status_code == 303
    new = int(r.headers["location"].rsplit("/", 1)[1])
    page = client.get(r.headers["location"]).text
    assert "<h1>Eritrea 2027</h1>" in page and "General Assembly" in page and "Eritrea" in page
    assert version_in(page, "KEN") == 0
    r = send(client, token, "POST", f"/campaigns/{new}/status", {"data": {"state": "KEN", "status": "considering",
                                                                          "version": "0"}})
    assert r.status_code == 303 and r.headers["location"] == f"/campaigns/{new}#state-KEN"
    r = send(client, token, "POST", f"/campaigns/{new}/notes", {"data": {"text": "ask at the reception",
                                                                         "state": ""}})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/campaigns/{new}#note-")
    r = send(client, token, "POST", f"/campaigns/{new}/members", {"data": {"action": "add", "username": "outv"}})
    assert r.status_code == 303 and r.headers["location"] == f"/campaigns/{new}#members"
    outv, _ = as_user("outv")
    assert outv.get(f"/campaigns/{new}").status_code == 200         # a member now
    r = send(client, token, "POST", f"/campaigns/{new}/members", {"data": {"action": "remove",
                                                                           "username": "outv"}})
    assert r.status_code == 303
    assert outv.get(f"/campaigns/{new}").status_code == 404         # and no longer
    v = bw.campaigns.show(new, by=bw.users.get("emma"), forecast=False)
    assert v.state("KEN")["status"] == "considering" and v.state("KEN")["updated_by"] == "emma"
    assert [(n["iso3"], n["text"], n["user"]) for n in v.notes] == [(None, "ask at the reception", "emma")]
    assert [m["username"] for m in v.members] == ["emma"]
    page = client.get(f"/campaigns/{new}").text
    assert 'id="state-KEN"' in section(page, "considering") and 'id="state-KEN"' not in section(page, "not_contacted")
    assert page.index('id="status-considering"') < page.index('id="status-not_contacted"')
    r = send(client, token, "POST", f"/campaigns/{new}/members", {"data": {"action": "remove",
                                                                           "username": "emma"}})
    assert r.status_code == 400 and "last member" in errors(r)[0]    # one line, and a way back
    assert f'href="/campaigns/{new}"' in r.text


def test_the_json_twins_work_for_an_editor_member(as_user, bw, cid):
    client, token = as_user("emma")
    r = send(client, token, "POST", "/api/campaigns", {"json": {"name": "Belarus", "target": "BLR"}})
    assert r.status_code == 201 and r.json()["target"] == "BLR" and r.json()["created_by"] == "emma"
    mine = r.json()["id"]
    v = client.get(f"/api/campaigns/{mine}", params={"forecast": "false"}).json()
    assert v["forecast"] is None and v["forecast_note"] == "not asked for"
    state = next(s for s in v["states"] if s["iso3"] == "LTU")
    r = send(client, token, "POST", f"/api/campaigns/{mine}/status",
             {"json": {"state": "Lithuania", "status": "committed", "version": state["version"]}})
    assert r.status_code == 200 and r.json()["status"] == "committed" and r.json()["version"] == 1
    r = send(client, token, "POST", f"/api/campaigns/{mine}/notes", {"json": {"text": "yes", "state": "LTU"}})
    assert r.status_code == 201 and r.json()["state"] == "Lithuania"
    r = send(client, token, "POST", f"/api/campaigns/{mine}/members", {"json": {"action": "add",
                                                                                "username": "vera"}})
    assert r.status_code == 200 and [m["username"] for m in r.json()["members"]] == ["emma", "vera"]
    r = send(client, token, "POST", f"/api/campaigns/{mine}/members", {"json": {"action": "add",
                                                                                "username": "vera"}})
    assert r.status_code == 409 and errors(r) == [f"vera is already a member of campaign {mine}; nothing was "
                                                  "changed"]
    r = send(client, token, "POST", f"/api/campaigns/{mine}/status", {"json": {"state": "LTU", "version": "x"}})
    assert r.status_code == 422 and len(errors(r)) == 1 and "status" in errors(r)[0]
    assert [e["action"] for e in client.get(f"/api/campaigns/{mine}/history").json()] == [
        "create", "set-status", "add-note", "add-member"]
    assert {r["id"] for r in client.get("/api/campaigns").json()} == {cid, mine} | {
        r.id for r in bw.campaigns.list(by=bw.users.get("emma"))}


def version_in(html: str, iso3: str) -> int:
    return int(re.search(rf'name="state" value="{iso3}"><input type="hidden" name="version" value="(\d+)"',
                         html).group(1))


def test_a_stale_status_is_409_naming_who_and_when_and_the_first_change_stays(as_user, bw, cid):
    eddie, eddie_token = as_user("eddie")
    emma, emma_token = as_user("emma")
    seen_eddie = version_in(eddie.get(f"/campaigns/{cid}").text, "FRA")
    seen_emma = version_in(emma.get(f"/campaigns/{cid}").text, "FRA")
    assert seen_eddie == seen_emma
    r = send(eddie, eddie_token, "POST", f"/campaigns/{cid}/status", {"data": {
        "state": "FRA", "status": "committed", "version": str(seen_eddie)}})
    assert r.status_code == 303
    first = bw.campaigns.show(cid, by=bw.users.get("vera"), forecast=False).state("FRA")
    kept = tables(bw)
    r = send(emma, emma_token, "POST", f"/campaigns/{cid}/status", {"data": {
        "state": "FRA", "status": "declined", "version": str(seen_emma)}})
    assert r.status_code == 409
    (message,) = errors(r)
    assert message.startswith(f"France (FRA) was changed by eddie at {first['updated_at']} UTC (now committed")
    assert "nothing was changed" in message and f'href="/campaigns/{cid}"' in r.text
    r = send(emma, emma_token, "POST", f"/api/campaigns/{cid}/status", {"json": {
        "state": "FRA", "status": "declined", "version": seen_emma}})
    assert r.status_code == 409 and errors(r) == [message]
    assert tables(bw) == kept
    assert bw.campaigns.show(cid, by=bw.users.get("vera"), forecast=False).state("FRA") == first
    page = emma.get(f"/campaigns/{cid}").text                        # reloaded: the new version, committed
    assert version_in(page, "FRA") == first["version"]
    assert 'id="state-FRA"' in section(page, "committed")


def section(html: str, status: str) -> str:
    """The page's table of the states with ``status`` (up to the next heading)."""
    start = html.index(f'<h3 id="status-{status}">')
    return html[start:html.index("<h", start + 4)]


# --------------------------------------------------------------------------- what the page shows


def _coverage_on_page(html: str) -> dict[str, int]:
    from blocwatch import registry

    names = {v: k for k, v in registry.GROUPS.items()}
    section = html[html.index('id="coverage"'):html.index('id="states"')]
    return {names[g]: int(n) for g, n in re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>',
                                                    section) if g in names}


def test_the_coverage_on_the_page_and_in_the_api_equals_bw_campaigns_show(as_user, bw, cid):
    eddie = bw.users.get("eddie")
    for state in ("Kenya", "Japan", "Chile", "Holy See"):
        bw.campaigns.set_status(cid, state, "committed", by=eddie)
    bw.campaigns.set_status(cid, "Poland", "considering", by=eddie)
    want = bw.campaigns.show(cid, by=eddie, forecast=False)
    client, _ = as_user("vera")
    html = client.get(f"/campaigns/{cid}").text
    assert _coverage_on_page(html) == want.coverage["by_group"]
    assert want.coverage["by_group"]["asia_pacific"] >= 1 and want.coverage["no_group"] == ["VAT"]
    empty = ", ".join(bw_groups(g) for g in want.coverage["groups_without"])
    assert (f"None yet from: {empty}." in html) if empty else ("None yet from" not in html)
    assert f"{want.coverage['committed']} states have committed" in html
    api = client.get(f"/api/campaigns/{cid}", params={"forecast": "false"}).json()
    assert api["coverage"] == want.coverage and api["counts"] == want.counts
    assert set(re.findall(r'<tr id="state-([A-Z]{3})"', section(html, "committed"))) == {
        s["iso3"] for s in want.states if s["status"] == "committed"}
    only = client.get(f"/campaigns/{cid}", params={"status": "considering"}).text   # the filter
    assert re.findall(r'<tr id="state-([A-Z]{3})"', only) == ["POL"]
    weog = client.get(f"/campaigns/{cid}", params={"status": "committed", "group": "weog"}).text
    assert set(re.findall(r'<tr id="state-([A-Z]{3})"', weog)) == {
        s["iso3"] for s in want.states if s["status"] == "committed" and s["group"] == "weog"}


def bw_groups(group: str) -> str:
    from blocwatch import registry

    return registry.GROUPS[group]


def test_the_page_shows_the_notes_newest_first(as_user, bw, cid):
    client, token = as_user("eddie")
    texts = ["first call: <b>positive</b>", "second call\nwith a second line", "third: a whole-campaign note"]
    for text, state in zip(texts, ("Norway", "NOR", ""), strict=True):
        r = send(client, token, "POST", f"/campaigns/{cid}/notes", {"data": {"text": text, "state": state}})
        assert r.status_code == 303
    want = bw.campaigns.show(cid, by=bw.users.get("vera"), forecast=False).notes
    html = client.get(f"/campaigns/{cid}").text
    section = html[html.index('<ol class="history notes">'):html.index('id="forecast"')]
    shown = re.findall(r'<li id="note-(\d+)"><strong>([^<]+) UTC</strong>, (\w+)(?:, on <a href="#state-(\w+)">|, '
                       r'on the whole campaign)', section)
    assert [(int(i), at, user, iso3 or None) for i, at, user, iso3 in shown] == [
        (n["id"], n["at"].replace("T", " "), n["user"], n["iso3"]) for n in want]
    assert [n["text"] for n in want[:3]] == texts[::-1]
    assert want[-1]["text"] == SECRET_NOTE
    assert "first call: &lt;b&gt;positive&lt;/b&gt;" in section and "<b>positive" not in html   # escaped
    norway = html[html.index('id="state-NOR"'):]
    assert norway.index("second call") < norway.index("</tr>") and "(2 notes)" in norway[:norway.index("</tr>")]


def test_the_forecast_ranks_who_may_join_without_the_committed_states(as_user, bw, cid, monkeypatch):
    from blocwatch.api.campaigns import Campaigns

    monkeypatch.setattr(Campaigns, "_forecast", REAL_FORECAST)   # the module's stub comes back after
    client, _ = as_user("vera")
    html = client.get(f"/campaigns/{cid}", params={"as_of": "2024-06-01"}).text
    section = html[html.index('id="forecast"'):html.index('id="members"')]
    assert "Likely to join, most likely first" in section and "as known on 2024-06-01" in section
    ranked = re.findall(r'<th scope="row"><a href="/states/([A-Z]{3})">', section)
    want = bw.campaigns.show(cid, by=bw.users.get("vera"), as_of="2024-06-01").forecast
    assert want is not None and ranked == [c["iso3"] for c in want["candidates"]] and ranked
    committed = {s["iso3"] for s in bw.campaigns.show(cid, by=bw.users.get("vera"), forecast=False).states
                 if s["status"] == "committed"}
    assert committed and not committed & set(ranked)
    api = client.get(f"/api/campaigns/{cid}", params={"as_of": "2024-06-01"}).json()
    assert api["forecast"] == want and api["forecast_as_of"] == "2024-06-01"
    late = client.get(f"/campaigns/{cid}", params={"as_of": "2031-01-01"}).text     # members not known: the note
    assert "no forecast: the Human Rights Council&#39;s members on 2031-01-01 are not known" in late
    assert client.get(f"/api/campaigns/{cid}", params={"as_of": "soon"}).json()["forecast_note"] == \
        "no forecast: as_of 'soon' is not a day (expected YYYY-MM-DD)"


# --------------------------------------------------------------------------- nowhere else, never cached


def test_nothing_about_a_campaign_appears_anywhere_else(app, as_user, bw, cid, tmp_path):
    from blocwatch.errors import NotFound

    admin, admin_token = as_user("outa")
    member, _ = as_user("eddie")
    event = bw.events.list()[0].id
    paths = ["/", "/api/home", "/search?q=quokka", "/api/search?q=quokka", "/search?q=whisper-4711",
             f"/events/{event}", f"/api/events/{event}", f"/api/events/{event}/history", "/states/CHN",
             "/api/states/CHN", "/api/session", "/states", "/votes?text=quokka", "/api/votes?text=quokka",
             "/openapi.json", "/campaigns", "/api/campaigns"]
    with TestClient(app, client=("10.9.2.1", 50000)) as anonymous:
        for client in (anonymous, admin, member):
            for path in paths:
                if client is member and path in ("/campaigns", "/api/campaigns"):
                    continue
                r = client.get(path)
                assert r.status_code in (200, 303, 307, 401), (path, r.status_code)
                assert not leaked(r), (path, leaked(r))
    entries = bw.campaigns.history(cid, by=bw.users.get("eddie"))
    assert entries and all(e["object_type"] == "campaign" for e in entries)
    assert not any(e["object_type"] == "campaign" for e in bw.audit.recent(1000))
    entry = entries[-1]["id"]
    with pytest.raises(NotFound, match=f"no audit-log entry {entry}$"):
        bw.audit.entry(entry)
    before = tables(bw)
    for path in (f"/audit/{entry}/revert", f"/api/audit/{entry}/revert"):   # an admin reverting a campaign entry
        kwargs = {"data": {"version": "1"}} if not path.startswith("/api") else {"json": {"version": 1}}
        r = send(admin, admin_token, "POST", path, kwargs)
        missing = send(admin, admin_token, "POST", path.replace(str(entry), str(MISSING)), kwargs)
        assert r.status_code == missing.status_code == 404 and not leaked(r)
        assert errors(r) == [f"no audit-log entry {entry}"]
    assert tables(bw) == before
    bw.events.export("json", tmp_path / "export.json")
    assert not [s for s in SECRETS if s in (tmp_path / "export.json").read_text().lower()]


def test_campaign_pages_are_never_cached(app, as_user, cid):
    client, _ = as_user("vera")
    for path in (f"/campaigns/{cid}", f"/api/campaigns/{cid}?forecast=false", "/campaigns", "/api/campaigns",
                 f"/api/campaigns/{cid}/history"):
        for _ in range(2):
            r = client.get(path)
            assert r.status_code == 200 and r.headers["cache-control"] == "private, no-store", path
            assert "etag" not in r.headers, path
    with TestClient(app, client=("10.9.3.1", 50000)) as anonymous:   # right after: nothing kept for anyone
        r = anonymous.get(f"/api/campaigns/{cid}?forecast=false")
        assert r.status_code == 401 and not leaked(r)
        r = anonymous.get(f"/campaigns/{cid}", follow_redirects=False)
        assert r.status_code == 303 and not leaked(r)
