"""The dashboard in a real browser: Debian's chromium driven by Playwright against a real uvicorn server.

One server per module (a thread running ``uvicorn.Server`` on the small
database, on a port the fixture binds itself) and one browser. Every page
load records the console errors, the uncaught exceptions and every request;
a request to any host but the app's is aborted and reported (the dashboard
works offline: no CDN, no font service). Screenshots at 1280 px and 375 px
and axe-core's full findings go to ``test-artifacts/browser/`` (a folder that
ignores itself in git; CI keeps it as the run's artifacts).

Timing targets (the home page's first render ≤ 1 s) are measured by
``benchmarks/web_load.py``, not asserted here. Never a downloaded browser: if
``/usr/bin/chromium`` is missing (``apt-get install -y chromium``; ``.ci/run``
installs it) the module is skipped.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("web"), pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium): apt-get install -y chromium (.ci/run does)")]

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("BLOCWATCH_TEST_ARTIFACTS", REPO / "test-artifacts")) / "browser"

# The pages every test visits, by name.
# The state page last: its GA numbers are computed once per server in the background (started with it).
PAGES = {
    "home": "/",
    "event": "/events/ga78-critical",
    "vote": "/votes/A/RES/ES-11/1",
    "forecast": "/forecast?target=SYR&as_of=2024-06-01",
    "campaign": "/campaign?target=CHN&as_of=2024-06-01",
    "state": "/states/CHN",
    "login": "/login",
}
# A/RES/ES-11/1 (2 March 2022, aggression against Ukraine): 141-5-35; the five against.
ES_11_1_NO = 5
WIDTHS = {"desktop": 1280, "mobile": 375}


# --- the server and the browser ------------------------------------------------------------------

@pytest.fixture(scope="module")
def base_url(web_bw) -> Iterator[str]:
    """The dashboard on the small database, served by uvicorn in a background thread until the module ends."""
    with _serve(web_bw) as base:
        # Start the state page's one-off GA computation now, so that it overlaps the other pages' tests.
        threading.Thread(target=_get_quietly, args=(f"{base}/api{PAGES['state']}/ga",), daemon=True).start()
        yield base


@contextlib.contextmanager
def _serve(handle) -> Iterator[str]:
    """``create_app(handle)`` served by uvicorn in a background thread on a free port; its base URL."""
    import uvicorn

    from blocwatch.web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(handle), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the dashboard's uvicorn server did not start")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        yield base
    finally:
        server.should_exit = server.force_exit = True  # no graceful wait for the browser's keep-alive connections
        thread.join(timeout=10)
        sock.close()  # the handle is the session's (web_bw): closed at the end of the run


def _get_quietly(url: str) -> None:
    import urllib.request

    with contextlib.suppress(OSError):
        urllib.request.urlopen(url, timeout=60).close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--no-sandbox", "--disable-background-networking"])
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """One page in its own browser context, with what it logged and requested."""

    page: object
    origin: str
    console_errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"console error: {e}" for e in self.console_errors]
                + [f"request to another host (aborted): {u}" for u in self.foreign]
                + [f"failed request: {u}" for u in self.failed])


_ALL_DRAWN = "[...document.querySelectorAll('.chart')].every(c => c.classList.contains('chart-ready'))"
_NOT_DRAWN = "[...document.querySelectorAll('.chart:not(.chart-ready)')].map(c => c.dataset.spec)"


def _state_ga_ready(base_url: str, path: str) -> None:
    """Wait until a state's GA numbers are computed (once per server, in the background), as on a warm server.

    Until then the state page says "being computed" in place of its two charts.
    """
    import urllib.request

    deadline = time.monotonic() + 90
    while True:
        with urllib.request.urlopen(f"{base_url}/api{path}/ga", timeout=30) as r:
            if json.load(r)["status"] != "computing":
                return
        if time.monotonic() > deadline:
            pytest.fail(f"{path}: GA numbers still computing after 90 s")
        time.sleep(0.25)


def _open(browser, base_url: str, path: str, width: int = 1280, height: int = 800) -> tuple[Visit, object]:
    """Open ``path`` in a fresh browser context, recording console errors and requests; (visit, context)."""
    if path.startswith("/states/"):
        _state_ga_ready(base_url, path)
    origin = urlsplit(base_url).netloc
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=base_url)
    page = context.new_page()
    seen = Visit(page, origin)

    def route(r) -> None:
        url = urlsplit(r.request.url)
        if url.scheme in ("data", "blob") or url.netloc == origin:
            r.continue_()
        else:
            seen.foreign.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: seen.console_errors.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.console_errors.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: seen.failed.append(f"{r.url} ({r.failure})")
            if urlsplit(r.url).netloc == origin else None)
    page.on("response", lambda r: seen.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
    response = page.goto(path, wait_until="load")
    assert response is not None and response.ok, f"{path}: HTTP {response.status if response else '?'}"
    # Every check sees the charts drawn (charts.js marks a drawn chart .chart-ready).
    try:
        page.wait_for_function(_ALL_DRAWN, timeout=15_000)
    except PlaywrightTimeout:
        seen.failed.append("charts not drawn within 15 s: " + ", ".join(page.evaluate(_NOT_DRAWN)))
    return seen, context


@pytest.fixture(scope="module")
def loaded(browser, base_url) -> Iterator:
    """``loaded(name, width=1280)``: the page, loaded once per module and width, for checks that only read it."""
    cache: dict[tuple[str, int], Visit] = {}
    contexts = []

    def get(name: str, width: int = 1280) -> Visit:
        if (name, width) not in cache:
            seen, context = _open(browser, base_url, PAGES[name], width, 800)
            contexts.append(context)
            cache[name, width] = seen
        return cache[name, width]

    yield get
    for context in contexts:
        context.close()


@pytest.fixture
def visit(browser, base_url) -> Iterator:
    """``visit(path)``: a page of the test's own (for tests that leave it)."""
    contexts = []

    def open_page(path: str, width: int = 1280, height: int = 800) -> Visit:
        seen, context = _open(browser, base_url, path, width, height)
        contexts.append(context)
        return seen

    yield open_page
    for context in contexts:
        context.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ignore = ARTIFACTS.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by tests/test_browser.py: screenshots and axe reports, never committed\n*\n")
    return ARTIFACTS / name


# --- every page --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", PAGES)
def test_page_loads_offline_without_errors(loaded, name):
    """The page answers, has one heading, logs no error and asks no host but the app's."""
    seen = loaded(name)
    page = seen.page
    assert page.locator("h1").count() == 1, f"{name}: expected one <h1>"
    assert page.locator("h1").inner_text().strip()
    assert page.title().endswith("blocwatch")
    assert not seen.problems(), f"{name} ({PAGES[name]}):\n" + "\n".join(seen.problems())


@pytest.mark.parametrize("name", PAGES)
def test_screenshots_at_1280_and_375(loaded, name):
    """Screenshots of the whole page at both widths, saved as the run's artifacts."""
    for width in WIDTHS.values():
        path = artifact(f"{name}-{width}.png")
        loaded(name, width).page.screenshot(path=path)  # the viewport
        assert path.stat().st_size > 0


MOBILE_CASES = ["home", "event", "vote", "forecast", "campaign", "state"]


@pytest.mark.parametrize("name", MOBILE_CASES)
def test_no_sideways_scroll_at_375(loaded, name):
    """At 375 px the page is no wider than the screen (a wide table may scroll inside its own box)."""
    page = loaded(name, WIDTHS["mobile"]).page
    width = page.evaluate("document.documentElement.scrollWidth")
    culprits = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.closest('.chart[data-spec]')?.dataset.spec ?? e.tagName).filter((x, i, a) => a.indexOf(x) === i)
        .slice(0, 5)""")
    assert width <= WIDTHS["mobile"], f"{name} at 375 px is {width} px wide because of {culprits}"


# Every <a href> a user can see, numbered; every focus change recorded by that number.
_LINKS_JS = """() => {
  const links = [...document.querySelectorAll('a[href]')].filter(a => a.checkVisibility({checkVisibilityCSS: true}));
  links.forEach((a, i) => a.dataset.tabTest = String(i));
  window.tabTestReached = new Set();
  document.addEventListener('focusin', e => {
    const i = e.target.dataset ? e.target.dataset.tabTest : undefined;
    if (i !== undefined) window.tabTestReached.add(+i);
  });
  return links.map(a => a.getAttribute('href') + ' "' + (a.innerText || a.ariaLabel || '').trim() + '"');
}"""


@pytest.mark.parametrize("name", PAGES)
def test_keyboard_reaches_every_link(loaded, name):
    """Tab alone, from the top of the page, focuses every visible link."""
    page = loaded(name).page
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    links = page.evaluate(_LINKS_JS)
    assert links, f"{name}: no link at all"
    # Every link once, plus room for the other focusable controls (search box, buttons, charts' own).
    reached: list[int] = []
    for presses in range(1, len(links) + 201):
        page.keyboard.press("Tab")
        if presses % 50 == 0 or presses >= len(links):
            reached = page.evaluate("[...window.tabTestReached]")
            if len(reached) == len(links):
                break
    missing = [link for i, link in enumerate(links) if i not in set(reached)]
    assert not missing, f"{name}: Tab never reaches {len(missing)} of {len(links)} links: {missing[:10]}"


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_or_critical_axe_violation(loaded, name):
    """axe-core (axe-playwright-python, bundled with it: no network) on the rendered page."""
    from axe_playwright_python.sync_playwright import Axe

    page = loaded(name).page
    results = Axe().run(page)
    violations = results.response["violations"]
    artifact(f"axe-{name}.json").write_text(json.dumps(violations, indent=1))
    bad = [v for v in violations if v.get("impact") in ("serious", "critical")]
    assert not bad, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in bad)


# --- charts and maps ---------------------------------------------------------------------------

def chart_marks(page, name: str) -> list[str]:
    """The aria-labels of the marks of chart ``name`` (``vote-map``…) once every chart of the page is drawn.

    charts.js marks a drawn chart ``.chart-ready``; Vega labels each mark from its tooltip fields
    (``Position: no; State: Belarus; Regional group: …; href: /states/BLR``).
    """
    page.wait_for_function(_ALL_DRAWN, timeout=15_000)
    chart = page.locator(f'.chart[data-spec^="/charts/{name}/"]')
    assert chart.count() == 1, f"no {name} chart on {page.url}"
    return chart.locator("svg [role=graphics-symbol]").evaluate_all("els => els.map(e => e.ariaLabel || '')")


@pytest.mark.parametrize("name", ["event", "vote", "forecast", "state"])
def test_charts_and_maps_render(loaded, name):
    """Every .chart on the page is drawn as SVG by Vega, with marks, and nothing went wrong doing it."""
    seen = loaded(name)
    page = seen.page
    charts = page.locator(".chart")
    assert charts.count() >= 1, f"{name}: no .chart element"
    chart_marks(page, charts.first.get_attribute("data-spec").split("/")[2])
    for i in range(charts.count()):
        chart = charts.nth(i)
        spec = chart.get_attribute("data-spec")
        assert chart.locator("svg .role-mark > *").count() > 0, f"{name}: {spec} drew no marks"
    assert not seen.problems(), "\n".join(seen.problems())


def _states(labels: list[str], field: str, value: str) -> list[str]:
    """The linked states of the marks labelled ``field: value`` (one entry per mark; shapes and markers alike)."""
    pattern = re.compile(rf"(?:^|; ){re.escape(field)}: {re.escape(value)}(?:;|$)")
    links = (re.search(r"href: /states/(\w+)", label) for label in labels if pattern.search(label))
    return [m.group(1) for m in links if m]


def test_vote_map_shows_the_five_against(loaded):
    """A/RES/ES-11/1: one "no" mark per state that voted no, and those are the five."""
    labels = chart_marks(loaded("vote").page, "vote-map")
    against = _states(labels, "Position", "no")
    assert len(against) == ES_11_1_NO
    assert sorted(against) == ["BLR", "ERI", "PRK", "RUS", "SYR"]


def test_event_map_counts_the_named_signatories(loaded, small_bw):
    """The event map shows exactly the event's named signatories as signers."""
    event = small_bw.events.get(PAGES["event"].rsplit("/", 1)[1])
    labels = chart_marks(loaded("event").page, "event-map")
    # A small state may have both a shape and a marker: count states, not marks.
    signers = set(_states(labels, "Side", "signed this critical statement"))
    assert sorted(signers) == sorted(event.signatories)


def test_click_a_country_on_the_event_map_opens_its_page(visit):
    """Clicking Germany's shape on the event map goes to /states/DEU (Vega follows the mark's href)."""
    page = visit(PAGES["event"]).page
    chart_marks(page, "event-map")
    page.locator('.chart[data-spec^="/charts/event-map/"] svg path[aria-label*="href: /states/DEU"]').first.click()
    page.wait_for_url("**/states/DEU", timeout=10_000)
    assert page.locator("h1").inner_text().strip()


# --- team mode: the editor's pages, signed in ----------------------------------------------------

PASSWORD = "correct horse battery"
EDITOR_PAGES = {"new-event": "/events/new", "edit-event": "/events/ga78-critical/edit", "campaigns": "/campaigns",
                "campaign": "/campaigns/1"}


@pytest.fixture(scope="module")
def editor_url(small_db_file, tmp_path_factory) -> Iterator[str]:
    """A second server on a private copy of the small database with an editor's account and a campaign of theirs
    (the shared database is never written)."""
    import shutil

    import blocwatch

    path = tmp_path_factory.mktemp("browser-team") / "team.sqlite3"
    shutil.copy(small_db_file, path)
    handle = blocwatch.open(str(path))
    editor = handle.users.add("editor", PASSWORD, "editor")
    campaign = handle.campaigns.create("Xinjiang, HRC 2027", "China", by=editor)   # /campaigns/1
    assert campaign.id == 1
    for state, status in (("France", "committed"), ("Chile", "committed"), ("Japan", "considering"),
                          ("Nigeria", "declined"), ("Poland", "contacted")):
        handle.campaigns.set_status(campaign.id, state, status, by=editor)
    handle.campaigns.add_note(campaign.id, "Circulated the draft to the core group.", by=editor)
    handle.campaigns.add_note(campaign.id, "The mission will ask the capital.", state="Japan", by=editor)
    with _serve(handle) as base:
        yield base
    handle.close()


def _axe_problems(page, name: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    artifact(f"axe-{name}.json").write_text(json.dumps(violations, indent=1))
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in violations if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize("name", EDITOR_PAGES)
def test_editor_pages_signed_in_work_and_pass_axe(browser, editor_url, name):
    """Signed in through the form, an editor's page loads under the security headers with no error and no
    serious axe finding; the new-event form's preview too."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=editor_url)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.text} ({m.location.get('url')})")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    try:
        page.goto("/login")
        page.fill("#username", "editor")
        page.fill("#password", PASSWORD)
        page.locator('form[action="/login"] button').click()
        page.wait_for_url(f"{editor_url}/")
        response = page.goto(EDITOR_PAGES[name])
        assert response is not None and response.ok, f"{name}: HTTP {response.status if response else '?'}"
        assert page.locator("h1").count() == 1
        assert not _axe_problems(page, name), f"{name}: {_axe_problems(page, name)}"
        if name == "new-event":
            page.fill("#new-text", "Joint statement on behalf of 3 countries: Canada, Japan and Australia.")
            page.fill("#new-date", "2026-06-20")
            page.locator('form[action="/events/new"] button').click()
            page.wait_for_selector("text=States found (3)")
            assert not _axe_problems(page, "event-preview")
        assert not problems, problems
    finally:
        context.close()
