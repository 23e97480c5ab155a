"""Factual briefs on one event (Markdown, HTML or JSON), every sentence computed from data.

:func:`brief_facts` gathers the facts (from
:func:`~blocwatch.statements.analytics.event_summary`) with the sources each
rests on; :func:`render` turns them into text with one template for every
event -- no text is written per event. Every sentence carries numbered
references to its sources, and a partial list is said to be partial
wherever a number or a group depends on it.

With an engine (``brief_facts(engine, ref)``, or ``engine=`` beside a
dataset) the brief also places the event in General Assembly voting
(:mod:`blocwatch.statements.alignment`): the ideal points of the signatories,
of the counter-statement's named signatories and of the members on neither
side, and their agreement with China and the United States, naming the GA
session the numbers come from (the one running on the event's date, or the
nearest stored one before it) and the dates of its votes; and it lists the
Human Rights Council's recorded votes on texts about the event's target
(:func:`blocwatch.statements.alignment.council_votes`), with how the
signatories who sat on the Council voted on the most recent one, or says in
one sentence that the data holds none.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from jinja2 import Environment
from sqlalchemy import Engine

from blocwatch import registry
from blocwatch.cache import Cache
from blocwatch.errors import InvalidInput
from blocwatch.statements import alignment, analytics
from blocwatch.statements.dataset import FORUMS
from blocwatch.statements.load import dataset as _dataset

FORMATS = ("md", "html", "json")


# The names a reader knows, where the UN's formal name would be awkward in a sentence
# ("United Kingdom of Great Britain and Northern Ireland delivered ..."); the registry keeps the UN names.
SHORT_NAMES = {
    "GBR": "the United Kingdom", "USA": "the United States", "NLD": "the Netherlands",
    "IRN": "Iran", "BOL": "Bolivia", "VEN": "Venezuela", "RUS": "Russia", "SYR": "Syria", "LAO": "Laos",
    "PRK": "North Korea", "KOR": "South Korea", "MDA": "Moldova", "TZA": "Tanzania", "FSM": "Micronesia",
}


def _name(iso3: str | None) -> str | None:
    """The name used in sentences: :data:`SHORT_NAMES` or the registry's name."""
    return (SHORT_NAMES.get(iso3) or registry.get(iso3).name) if iso3 else None


def _cap(text: str | None) -> str | None:
    """``text`` with its first letter upper-cased (for a name that starts a sentence)."""
    return text[:1].upper() + text[1:] if text else text


def _names(codes) -> list[str | None]:
    return [_name(c) for c in codes]


class _Refs:
    """Numbered sources, in order of first use: web addresses, or stored sources with a citation and maybe no
    address (keyed by their address, else by their citation)."""

    def __init__(self):
        self.keys: list[str] = []
        self.what: dict[str, str | None] = {}
        self.url: dict[str, str | None] = {}
        self.citation: dict[str, str | None] = {}

    def _add(self, key: str, url: str | None, citation: str | None, what: str | None) -> int:
        if key not in self.url:
            self.keys.append(key)
            self.url[key], self.citation[key], self.what[key] = url, citation, what
        return self.keys.index(key) + 1

    def __call__(self, *urls: str | None, what: str | None = None) -> list[int]:
        return sorted({self._add(url, url, None, what) for url in urls if url})

    def cite(self, sources: list[dict], what: str | None = None) -> list[int]:
        """Numbers of stored sources (``{url, citation, what?}``); ``what`` unless the source says its own."""
        out = set()
        for src in sources:
            key = src.get("url") or src.get("citation")
            if key:
                out.add(self._add(key, src.get("url"), src.get("citation"), src.get("what") or what))
        return sorted(out)

    def listing(self, publisher: dict[str, str | None]) -> list[dict]:
        """``[{n, url, what, publisher, citation}]`` in number order."""
        return [{"n": i + 1, "url": self.url[k], "what": self.what.get(k), "publisher": publisher.get(k),
                 "citation": self.citation[k]} for i, k in enumerate(self.keys)]


def _ga_facts(engine: Engine | None, ds, event_id: str, refs: _Refs, cache: Cache | None) -> dict | None:
    """The ``ga_alignment`` fact: :func:`alignment.event_alignment` without the per-state rows.

    ``None`` without an engine; ``{"available": False, "reason"}`` when the
    store has no GA votes.
    """
    if engine is None:
        return None
    try:
        a = alignment.event_alignment(engine, event_id, ds=ds, cache=cache)
    except alignment.NoVotes as exc:
        return {"available": False, "reason": str(exc), "refs": []}
    ga_refs = refs.cite(a["ga"]["sources"],
                        what="General Assembly roll-call votes (ideal points and agreement computed by blocwatch)")
    return {"available": True, **{k: v for k, v in a.items() if k != "states"}, "refs": ga_refs}


POSITION_TEXT = {"yes": "voted yes", "no": "no", "abstain": "abstained", "not_voting": "did not vote",
                 "absent": "had no recorded vote"}


def _council_facts(engine: Engine | None, target: str | None, sides: dict[str, list[str]],
                   refs: _Refs, on: date | None = None) -> dict | None:
    """The ``council_votes`` fact: :func:`alignment.council_votes` on the event's target, each vote with its
    ``refs``, the sides' positions with names. ``None`` without an engine or a target."""
    if engine is None:
        return None
    c = alignment.council_votes(engine, target, sides, on=on)
    if c is None:
        return None
    what = "Human Rights Council roll-call votes"

    def cite(v: dict) -> list[int]:
        # the data set as a whole under one description; a page on one vote says which vote it reports
        return refs.cite([src if src["kind"] == "curation" else
                          {**src, "what": f"{v['symbol']} ({v['date']}): {src['what'] or 'report of the vote'}"}
                          for src in v["sources"]], what=what)

    votes = [{**v, "refs": cite(v)} for v in c["votes"]]
    latest = c["latest"]
    side_facts = {}
    if latest:
        latest = {**latest, "refs": sorted(set(cite(latest)
                                               + refs.cite(c["membership_sources"],
                                                           what="Human Rights Council membership terms")))}
        for side, g in c["sides"].items():
            side_facts[side] = {**g, "names": {k: _names(v) for k, v in g["positions"].items()},
                                "counts": {k: len(v) for k, v in g["positions"].items()}}
    return {"target": c["target"], "target_name": _name(c["target"]), "coverage": c["coverage"],
            "total": c["total"], "not_listed": c["not_listed"], "votes": votes, "latest": latest,
            "latest_when": c["latest_when"],
            "sides": side_facts, "position_text": POSITION_TEXT,
            "refs": refs.cite(c["dataset_sources"], what=what) if c["coverage"] else []}


def brief_facts(source, ref: str, *, engine: Engine | None = None, cache: Cache | None = None) -> dict:
    """The facts of a brief, each with ``refs`` (1-based indices into ``sources``).

    Returned keys: ``event`` (the :func:`event_summary` dict), ``headline``,
    ``facts`` (a list of ``{key, text-free values..., refs}``) and ``sources``
    (``[{n, url, what}]``). The JSON format of the brief is this dict.
    ``facts["ga_alignment"]``: the event's link to General Assembly voting
    (:func:`blocwatch.statements.alignment.event_alignment` without its
    ``states`` rows, plus ``available`` and ``refs``); ``None`` when neither
    ``source`` nor ``engine`` is an engine. ``facts["council_votes"]``: the
    Human Rights Council's votes on texts about the event's target
    (:func:`blocwatch.statements.alignment.council_votes`, each vote with its
    ``refs``; ``sides`` adds ``names`` and ``counts`` per position; ``refs``
    cites the Council data as a whole, for the sentence saying there is no
    vote); ``None`` as ``ga_alignment``. ``sources`` entries: ``{n, url, what,
    publisher, citation}`` (``url`` ``None`` for a stored source that gives no
    address; ``citation`` the stored citation, ``None`` for web pages).
    """
    if engine is None and isinstance(source, Engine):
        engine = source
    ds = _dataset(source)
    s = analytics.event_summary(ds, ref)
    e = ds.get(s["id"])
    refs = _Refs()
    for src in e.sources:  # number the event's own sources first, in their order
        refs(src.url, what=src.what)
    main = [e.sources[0].url]
    list_refs = refs(*{e.source_for(c) for c in s["signatories"]}) or refs(*main)
    facts: dict[str, Any] = {}
    facts["delivery"] = {"delivered_by": s["delivered_by"], "delivered_by_name": _name(s["delivered_by"]),
                         "delivered_by_text": s["delivered_by_text"], "kind": e.kind,
                         "forum": FORUMS[e.forum], "session": e.session, "date": e.date_text,
                         "date_precision": e.date_precision, "stance": e.stance,
                         "target_name": _name(e.target), "topics": list(e.topics), "refs": refs(*main)}
    facts["counts"] = {"claimed_count": s["claimed_count"], "known_count": s["known_count"],
                       "named_at_delivery": len(s["signed_at_delivery"]),
                       "joined_later": len(e.joined_later), "withdrawn": len(e.withdrawn),
                       "unnamed_count": s["unnamed_count"], "partial": s["partial"],
                       "list_complete": s["list_complete"],
                       "refs": sorted(set(refs(*[x.url for x in e.sources if x.what and any(
                           w in x.what.lower() for w in ("count", "list", "countries", "behalf"))] or main)
                                          + list_refs))}
    facts["groups"] = {"by_group": {registry.GROUPS.get(k, "no regional group"): v
                                    for k, v in s["by_group"].items()},
                       "groups_covered": s["groups_covered"], "first_all_groups": s["first_all_groups"],
                       "first_all_groups_caveats": s["first_all_groups_caveats"], "partial": s["partial"],
                       "refs": list_refs}
    facts["first_time"] = {"names": _names(s["first_time"]), "iso3": s["first_time"],
                           "caveats": s["first_time_caveats"], "earlier": s["earlier_same_stance"],
                           "refs": refs(*{e.source_for(c) for c in s["first_time"]})}
    cmp = ds.get(s["compared_with"]) if s["compared_with"] else None
    facts["changes_vs_previous"] = {
        "compared_with": s["compared_with"], "compared_date": cmp.date_text if cmp else None,
        "compared_partial": cmp.partial if cmp else None,
        "joined": _names(s["joined"]), "left": _names(s["left"]),
        "joined_uncertain": len(s["joined_uncertain"]), "left_uncertain": len(s["left_uncertain"]),
        "refs": sorted(set(list_refs + (refs(*{cmp.source_for(c) for c in s["left"] + s["stayed"]}) if cmp else []))),
    }
    grouped: dict[tuple[str, str], dict] = {}
    for c in s["changes"]:  # one sentence per (change, date)
        g = grouped.setdefault((c["change"], c["date"]), {"change": c["change"], "date": c["date"],
                                                          "names": [], "iso3": [], "refs": []})
        g["names"].append(_name(c["iso3"]))
        g["iso3"].append(c["iso3"])
        g["refs"] = sorted(set(g["refs"] + refs(
            c["note"].rsplit("(", 1)[-1].rstrip(")") if c.get("note") else None)))
    facts["after_delivery"] = sorted(grouped.values(), key=lambda g: (g["date"], g["change"]))
    facts["switchers"] = {"names": _names(s["switchers"]), "refs": list_refs}
    counter = s["counter"]
    if counter:
        c = ds.get(counter["id"])
        facts["counter"] = {**counter, "delivered_by_name": _name(counter["delivered_by"]),
                            "responds_to_basis": s["responds_to_basis"] if counter["tie"] == "responds_to" else None,
                            "refs": refs(c.sources[0].url)
                            + (refs(s["responds_to_basis"]["url"]) if s["responds_to_basis"] else [])}
        if counter["tie"] == "responds_to" and not s["responds_to_basis"]:
            basis = c.responds_to_basis
            if basis:
                facts["counter"]["refs"] += refs(basis.url)
        facts["counter"]["refs"] = sorted(set(facts["counter"]["refs"]))
    else:
        facts["counter"] = None
    facts["ga_alignment"] = _ga_facts(engine, ds, e.id, refs, cache)
    sides = {"signatories": list(s["signatories"])}
    if counter:
        sides["counter"] = list(ds.get(counter["id"]).signatories)
    facts["council_votes"] = _council_facts(engine, e.target, sides, refs, on=e.date_range[1])
    publisher: dict[str, str | None] = {ref.url: ref.publisher for x in ds for ref in x.sources}
    facts["sourcing"] = {"publishers": s["publishers"], "mirror_only": s["mirror_only"],
                         "list_mirror_only": s["list_mirror_only"],
                         "mirror_changes": [{**c, "name": _name(c["iso3"])} for c in s["changes"]
                                            if c["publisher"] == "mirror"],
                         "refs": list_refs}
    return {
        "event": s,
        "title": e.title,
        "facts": facts,
        "sources": refs.listing(publisher),
    }


# One template line per paragraph: its line breaks are part of the output, so long lines stay (noqa below).
_TEMPLATE = """\
{%- macro r(refs) -%}{% for n in refs %}{{ ref(n) }}{% endfor %}{%- endmacro -%}
{%- set d = f.delivery -%}{%- set c = f.counts -%}
{{ h1(title) }}

{% set when %}{% if d.date_precision == "month" %}in {{ d.date }} (exact day not established){% else %}on {{ d.date }}{% endif %}{% endset -%}
{% set dated %}{% if d.date_precision == "month" %}{{ d.date }} (exact day not established){% else %}{{ d.date }}{% endif %}{% endset -%}
{% if d.kind == "letter" %}This {{ d.stance }} {{ d.forum }} on {{ d.target_name }} (topics: {{ d.topics|join(", ") }}){% if d.session %}, session {{ d.session }},{% endif %} is dated {{ dated }}; {% if d.delivered_by_name %}it was sent by {{ d.delivered_by_name }}{% else %}no single state is named as its author{% endif %}.{% else %}{% if d.delivered_by_name %}{{ cap(d.delivered_by_name) }} delivered{% else %}The sources do not establish which state delivered{% endif %} this {{ d.stance }} joint statement on {{ d.target_name }} (topics: {{ d.topics|join(", ") }}) at the {{ d.forum }}{% if d.session %}, session {{ d.session }}{% endif %}, {{ when }}{% if not d.delivered_by_name and d.delivered_by_text %} (they say: “{{ d.delivered_by_text }}”){% endif %}.{% endif %}{{ r(d.refs) }}

{% if c.joined_later or c.withdrawn %}{% if c.claimed_count %}The claimed number of signatories is {{ c.claimed_count }}{% else %}No number of signatories was stated{% endif %}; the sources name {{ c.named_at_delivery }} at delivery and {{ c.known_count }} after the changes below ({% if c.joined_later %}{{ c.joined_later }} joined{% endif %}{% if c.joined_later and c.withdrawn %}, {% endif %}{% if c.withdrawn %}{{ c.withdrawn }} withdrew{% endif %}){% else %}{% if c.claimed_count %}It was made on behalf of {{ c.claimed_count }} countries (claimed); {% else %}No number of signatories was stated; {% endif %}{{ c.known_count }} {{ "is" if c.known_count == 1 else "are" }} named in the sources{% endif %}{% if c.partial %}, so the list is partial{% if c.unnamed_count %} and {{ c.unnamed_count }} signatories are unnamed{% endif %}{% endif %}.{{ r(c.refs) }}

{% set g = f.groups -%}
The named signatories come from {{ g.groups_covered }} of the 5 UN regional groups ({% for k, v in g.by_group.items() %}{{ k }}: {{ v }}{{ ", " if not loop.last }}{% endfor %}){% if g.partial %}; as the list is partial these are lower bounds{% endif %}.{{ r(g.refs) }}
{% if g.first_all_groups %}It is the first {% if g.first_all_groups_caveats %}known {% endif %}{{ d.stance }} {{ d.kind }} in the series whose named signatories cover all five regional groups{% if g.first_all_groups_caveats %} (earlier events with partial lists could change this: {{ g.first_all_groups_caveats|join(", ") }}){% endif %}.{{ r(g.refs) }}{% endif %}

{% set ft = f.first_time -%}
{% if not ft.earlier %}It is the first {{ d.stance }} event of the series in the data, so all its named signatories are first-time signers.{% elif ft.names %}Named for the first time on the {{ d.stance }} side: {{ ft.names|join(", ") }}{% if ft.caveats %} (first *known*: {{ ft.caveats|length }} earlier {{ d.stance }} event(s) have partial lists){% endif %}.{{ r(ft.refs) }}{% else %}No signatory is named here for the first time on the {{ d.stance }} side.{% endif %}

{% set ch = f.changes_vs_previous -%}
{% if ch.compared_with %}Compared with the previous {{ d.stance }} event in the same forum ({{ ch.compared_with }}, {{ ch.compared_date }}): {% if ch.joined %}joined: {{ ch.joined|join(", ") }}{% else %}no state certainly joined{% endif %}{% if ch.joined_uncertain %} ({{ ch.joined_uncertain }} more are named here but not there; that list is partial, so whether they joined is unknown){% endif %}; {% if ch.left %}left: {{ ch.left|join(", ") }}{% else %}no state certainly left{% endif %}{% if ch.left_uncertain %} ({{ ch.left_uncertain }} named there are not named here; this list is partial, so whether they left is unknown){% endif %}.{{ r(ch.refs) }}{% else %}There is no earlier {{ d.stance }} event in the same forum to compare with.{% endif %}
{% for a in f.after_delivery %}
After delivery, {{ a.names|join(", ") }} {{ a.change }} on {{ a.date }}{% if a.names|length > 1 %} ({{ a.names|length }} states){% endif %}.{{ r(a.refs) }}{% endfor %}
{% if f.switchers.names %}
Named on the other side before: {{ f.switchers.names|join(", ") }}.{{ r(f.switchers.refs) }}{% endif %}

{% set k = f.counter -%}
{% if k %}{% set doc = "letter" if k.kind == "letter" else "statement" %}{% if k.direction == "answers" %}This event answers the {{ k.stance }} {{ doc }} {% elif k.direction == "answered_by" %}The counter-{{ doc }} {% else %}The opposite-stance {{ doc }} of the same session {% endif %}({{ k.id }}, {{ k.date }}){% set was = ", which was" if k.direction == "answers" else " was" %}{% if k.kind == "letter" %}{{ was }} signed{% if k.delivered_by_name %} under the lead of {{ k.delivered_by_name }}{% endif %}{% else %}{{ was }} {% if k.delivered_by_name %}delivered by {{ k.delivered_by_name }}{% else %}delivered by a state the sources do not name{% endif %}{% endif %}{% if k.claimed_count %} on behalf of {{ k.claimed_count }} countries (claimed){% endif %}; {{ k.known_count }} {{ "is" if k.known_count == 1 else "are" }} named{% if k.partial %}, so its list is partial{% endif %}.{{ r(k.refs) }}{% else %}No opposite-stance statement is tied to this one in the data.{% endif %}

{% set so = f.sourcing -%}
{% if so.mirror_only %}Every source of this event is a mirror or blog, which reposts what others published: check these facts against an original before citing them.{{ r(so.refs) }}
{% elif so.list_mirror_only %}The list of signatories comes only from mirrors or blogs, which repost what others published: check it against an original before citing it.{{ r(so.refs) }}
{% endif %}{% for c in so.mirror_changes %}That {{ c.name }} {{ c.change }} on {{ c.date }} rests only on a mirror or blog, not on the original statement.
{% endfor %}

{% set a = f.ga_alignment -%}
{% if a %}{{ h2("General Assembly voting") }}
{% if not a.available %}The signatories cannot be placed in General Assembly voting: {{ a.reason }}.{% else %}
{%- set ga = a.ga -%}{%- set sg = a.groups.signatories -%}{%- set cg = a.groups.counter -%}{%- set ng = a.groups.neither_side -%}
{%- macro claimed(g) -%}{% if g.partial %} (of {{ g.claimed_count or "an unstated number" }} claimed){% endif %}{%- endmacro -%}
{%- macro pos(one, many, g) -%}{% if g.scored > 1 %}the {{ g.scored }} {{ many }}{{ claimed(g) }} with votes average {{ ideal(g.ideal.mean) }} (median {{ ideal(g.ideal.median) }}){% elif g.scored == 1 %}the one {{ one }}{{ claimed(g) }} with votes stands at {{ ideal(g.ideal.mean) }}{% else %}none of the {{ many }}{{ claimed(g) }} has an ideal point{% endif %}{%- endmacro -%}
{%- macro agr(one, many, g) -%}{% set n = g.closer_to_usa + g.closer_to_chn + g.equally_close %}{% set selves = [] %}{% if "CHN" in g.iso3 %}{% set _ = selves.append("China") %}{% endif %}{% if "USA" in g.iso3 %}{% set _ = selves.append("the United States") %}{% endif %}{% if n > 1 %}the {{ n }} {{ many }}{% if selves %} other than {{ selves|join(" and ") }}{% endif %} voted as China did on {{ pct(g.agree_chn.mean) }} of their joint votes on average and as the United States did on {{ pct(g.agree_usa.mean) }} (State Department coincidence, yes and no votes only: {{ pct(g.coincidence_chn.mean) }} with China, {{ pct(g.coincidence_usa.mean) }} with the United States); {{ g.closer_to_usa }} of {{ n }} voted with the United States more often than with China.{% elif n == 1 %}the one {{ one }} voted as China did on {{ pct(g.agree_chn.mean) }} of joint votes and as the United States did on {{ pct(g.agree_usa.mean) }} (State Department coincidence: {{ pct(g.coincidence_chn.mean) }} with China, {{ pct(g.coincidence_usa.mean) }} with the United States).{% else %}no {{ one }} has an agreement score with both China and the United States.{% endif %}{%- endmacro -%}
Numbers in this section: {{ ga.label }}{% if ga.years_after_data %}. The event came in session {{ ga.event_session }}, {{ ga.years_after_data }} year{{ "s" if ga.years_after_data != 1 }} later, which has no votes in the data, so positions may have moved since{% elif ga.session == ga.event_session %}, the session running on the event's date{% endif %}.{{ r(a.refs) }}

Ideal points ({{ ga.model }} model, one dimension, United States positive): {{ pos("named signatory", "named signatories", sg) }}{% if cg %}; {{ pos("named signatory of the counter-statement", "named signatories of the counter-statement", cg) }}{% endif %}; {{ pos("UN member named on neither side", "UN members named on neither side", ng) }}. China stands at {{ ideal(a.reference.CHN.ideal) }}, the United States at {{ ideal(a.reference.USA.ideal) }}.{% if cg and sg.scored and cg.scored %} The signatories' mean is {{ "%.2f"|format((sg.ideal.mean - cg.ideal.mean)|abs) }} {{ "higher (towards the United States)" if sg.ideal.mean > cg.ideal.mean else "lower (away from the United States)" }} than that of the counter-statement's named signator{{ "y" if cg.scored == 1 else "ies" }}.{% endif %}{{ r(a.refs) }}

In the roll calls of session {{ ga.session }}, {{ agr("named signatory", "named signatories", sg) }}{% if cg %} Of the counter-statement's side, {{ agr("named signatory", "named signatories", cg) }}{% endif %} Of the members on neither side, {{ agr("state", "states", ng) }}{{ r(a.refs) }}
{% set missing = [] %}{% for g in [sg, cg, ng] if g %}{% for w in g.without_score if w not in missing %}{% set _ = missing.append(w) %}{% endfor %}{% endfor %}
{% set cav = a.caveats|rejectattr("key", "in", ["time_gap", "without_score"] if ga.years_after_data else ["without_score"])|list %}
{% if missing %}Without an ideal point or agreement score (listed, not counted): {% for w in missing %}{{ w.name }} ({{ w.reason }}){{ "; " if not loop.last }}{% endfor %}. {% endif %}{% if cav %}Caveat{{ "s" if cav|length > 1 }}: {% for c in cav %}{% if cav|length > 1 %}({{ loop.index }}) {% endif %}{{ c.text }}{{ " " if not loop.last }}{% endfor %}{% endif %}{% if missing or cav %}{{ r(a.refs) }}{% endif %}
{% endif %}
{% endif %}
{% set hv = f.council_votes -%}
{% if hv %}{{ h2("Human Rights Council votes") }}
{% set target = hv.target_name %}{% if not hv.coverage %}The data holds no Human Rights Council votes, so none on a text about {{ target }}.{% elif not hv.total %}No recorded Council vote on a text about {{ target }} in the data ({{ hv.coverage.first_year }}–{{ hv.coverage.last_year }}).{{ r(hv.refs) }}{% else %}The data ({{ hv.coverage.first_year }}–{{ hv.coverage.last_year }}) holds {{ hv.total }} recorded Council vote{{ "s" if hv.total != 1 }} on texts about {{ target }}{% if hv.not_listed %}; the {{ hv.votes|length }} most recent{% endif %}:{{ r(hv.refs) }}
{% for v in hv.votes %}
- {{ v.date }}, {{ v.symbol }}{% if v.session_name %} ({{ v.session_name }}){% endif %}, {{ v.kind or "vote" }} “{{ v.title }}”: {% if v.adopted %}adopted{% elif v.adopted is sameas false %}not adopted{% else %}outcome not recorded{% endif %}, {{ v.tally.yes }} yes, {{ v.tally.no }} no, {{ v.tally.abstain }} abstaining{% if v.tally.not_voting %}, {{ v.tally.not_voting }} not voting{% endif %}{% if v.yes_stance %}; a yes vote was {{ v.yes_stance }} of {{ target }}{% endif %}.{{ r(v.refs) }}{% endfor %}
{% set l = hv.latest %}{% if l %}
{% macro side(label, g) %}{% if g.members %}of {{ label }}, {{ g.members }} {{ "was a Council member" if g.members == 1 else "were Council members" }} that day: {% for k, n in g.counts.items() if n or k in ["yes", "no", "abstain"] %}{{ hv.position_text[k] }} {{ n }}{% if n %} ({{ g.names[k]|join(", ") }}){% endif %}{{ ", " if not loop.last }}{% endfor %}{% else %}none of {{ label }} was a Council member that day{% endif %}{% endmacro %}
{% if hv.latest_when == "after" %}Every one of them came after the event; on the first ({{ l.kind or "vote" }} {{ l.symbol }}, {{ l.date }}), {% elif hv.latest_when == "before" %}On the most recent {{ l.kind or "vote" }} before the event ({{ l.symbol }}, {{ l.date }}), {% else %}On the most recent {{ l.kind or "vote" }} ({{ l.symbol }}, {{ l.date }}), {% endif %}{% set sg = hv.sides.signatories %}{% set cg = hv.sides.counter %}{{ side("the one named signatory" if sg.named == 1 else "the " ~ sg.named ~ " named signatories", sg) }}{% if cg %}; {{ side("the counter-statement's one named signatory" if cg.named == 1 else "the counter-statement's " ~ cg.named ~ " named signatories", cg) }}{% endif %}.{{ r(l.refs) }}{% endif %}{% endif %}
{% endif %}
{{ h2("Sources") }}
{% for s in sources %}{{ source_line(s) }}
{% endfor %}"""  # noqa: E501


def _publisher_label(source: dict) -> str:
    """" [news]" after a source line: what kind of publisher it is."""
    from blocwatch.statements.publishers import PUBLISHERS

    kind = source.get("publisher")
    return f" [{PUBLISHERS[kind]}]" if kind in PUBLISHERS else ""


def _html_paragraph(p: str) -> str:
    """Wrap a text paragraph in <p>; a heading line heading the paragraph stays outside it."""
    if p.lstrip().startswith("<h"):
        head, _, rest = p.partition("\n")
        return head + (f"\n{_html_paragraph(rest)}" if rest.strip() else "")
    lines = p.splitlines()
    if lines and all(line.startswith("- ") for line in lines):
        return "<ul>\n" + "\n".join(f"<li>{line[2:]}</li>" for line in lines) + "\n</ul>"
    return p if p.lstrip().startswith("<") else f"<p>{p}</p>"


def render(source, ref: str, fmt: str = "md", *, engine: Engine | None = None) -> str:
    """The brief as Markdown, HTML or JSON text (``engine``: see :func:`brief_facts`)."""
    if fmt not in FORMATS:
        raise InvalidInput(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return render_facts(brief_facts(source, ref, engine=engine), fmt)


def render_facts(data: dict, fmt: str = "md") -> str:
    """Text of a brief from its facts (:func:`brief_facts`): ``md``, ``html`` or ``json``."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    env = Environment(autoescape=fmt == "html", keep_trailing_newline=True)
    if fmt == "md":
        helpers = {"h1": lambda t: f"# {t}", "h2": lambda t: f"## {t}",
                   "ref": lambda n: (f" [[{n}]]({url})" if (url := data["sources"][n - 1]["url"]) else f" [{n}]"),
                   "source_line": lambda s: f"{s['n']}. " + (f"<{s['url']}>" if s["url"] else "")
                   + (" — " if s["url"] and (s["what"] or s.get("citation")) else "")
                   + "; ".join(x for x in (s["what"], s.get("citation")) if x) + _publisher_label(s)}
    else:
        from markupsafe import Markup, escape

        def html_ref(n: int) -> Markup:
            url = data["sources"][n - 1]["url"]
            return Markup(f' <a href="{escape(url) if url else f"#s{n}"}">[{n}]</a>')

        def html_source(s: dict) -> Markup:
            link = f'<a href="{escape(s["url"])}">{escape(s["url"])}</a>' if s["url"] else ""
            text = "; ".join(x for x in (s["what"], s.get("citation")) if x)
            sep = " — " if link and text else ""
            return Markup(f'<p id="s{s["n"]}">{s["n"]}. {link}{sep}{escape(text)}{escape(_publisher_label(s))}</p>')

        helpers = {"h1": lambda t: Markup(f"<h1>{escape(t)}</h1>"), "h2": lambda t: Markup(f"<h2>{escape(t)}</h2>"),
                   "ref": html_ref, "source_line": html_source}
    text = env.from_string(_TEMPLATE).render(f=data["facts"], title=data["title"], sources=data["sources"],
                                             ideal=alignment.fmt_ideal, cap=_cap, pct=alignment.fmt_share, **helpers)
    text = "\n".join(line.rstrip() for line in text.splitlines())
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    if fmt == "html":
        paras = [p for p in text.split("\n\n") if p.strip()]
        body = "\n".join(_html_paragraph(p) for p in paras)
        text = f'<!doctype html>\n<html lang="en"><meta charset="utf-8"><title>{data["title"]}</title>\n{body}\n</html>'
    return text.strip() + "\n"
