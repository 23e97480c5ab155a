"""Factual briefs on one event (Markdown, HTML or JSON), every sentence computed from data.

:func:`brief_facts` gathers the facts (from
:func:`~blocwatch.statements.analytics.event_summary`) with the sources each
rests on; :func:`render` turns them into text with one template for every
event -- no text is written per event. Every sentence carries numbered
references to its sources, and a partial list is said to be partial
wherever a number or a group depends on it.
"""

from __future__ import annotations

import json

from jinja2 import Environment

from blocwatch import registry
from blocwatch.statements import analytics
from blocwatch.statements.dataset import FORUMS
from blocwatch.statements.load import dataset as _dataset

FORMATS = ("md", "html", "json")


def _name(iso3: str | None) -> str | None:
    return registry.get(iso3).name if iso3 else None


def _names(codes) -> list[str]:
    return [_name(c) for c in codes]


class _Refs:
    """Numbered sources, in order of first use."""

    def __init__(self):
        self.urls: list[str] = []
        self.what: dict[str, str | None] = {}

    def __call__(self, *urls: str | None, what: str | None = None) -> list[int]:
        out = []
        for url in urls:
            if not url:
                continue
            if url not in self.urls:
                self.urls.append(url)
                self.what[url] = what
            out.append(self.urls.index(url) + 1)
        return sorted(set(out))


def brief_facts(source, ref: str) -> dict:
    """The facts of a brief, each with ``refs`` (1-based indices into ``sources``).

    Returned keys: ``event`` (the :func:`event_summary` dict), ``headline``,
    ``facts`` (a list of ``{key, text-free values..., refs}``) and ``sources``
    (``[{n, url, what}]``). The JSON format of the brief is this dict.
    """
    ds = _dataset(source)
    s = analytics.event_summary(ds, ref)
    e = ds.get(s["id"])
    refs = _Refs()
    for src in e.sources:  # number the event's own sources first, in their order
        refs(src.url, what=src.what)
    main = [e.sources[0].url]
    list_refs = refs(*{e.source_for(c) for c in s["signatories"]}) or refs(*main)
    facts = {}
    facts["delivery"] = {"delivered_by": s["delivered_by"], "delivered_by_name": _name(s["delivered_by"]),
                         "delivered_by_text": s["delivered_by_text"], "kind": e.kind,
                         "forum": FORUMS[e.forum], "session": e.session, "date": e.date_text,
                         "date_precision": e.date_precision, "stance": e.stance,
                         "target_name": _name(e.target), "topics": list(e.topics), "refs": refs(*main)}
    facts["counts"] = {"claimed_count": s["claimed_count"], "known_count": s["known_count"],
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
    facts["after_delivery"] = list(grouped.values())
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
    return {
        "event": s,
        "title": e.title,
        "facts": facts,
        "sources": [{"n": i + 1, "url": u, "what": refs.what.get(u)} for i, u in enumerate(refs.urls)],
    }


_TEMPLATE = """\
{%- macro r(refs) -%}{% for n in refs %}{{ ref(n) }}{% endfor %}{%- endmacro -%}
{%- set d = f.delivery -%}{%- set c = f.counts -%}
{{ h1(title) }}

{% set when %}{% if d.date_precision == "month" %}in {{ d.date }} (exact day not established){% else %}on {{ d.date }}{% endif %}{% endset -%}
{% if d.kind == "letter" %}This {{ d.stance }} {{ d.forum }} on {{ d.target_name }} (topics: {{ d.topics|join(", ") }}){% if d.session %}, session {{ d.session }},{% endif %} is dated {{ when }}; {% if d.delivered_by_name %}it was sent by {{ d.delivered_by_name }}{% else %}no single state is named as its author{% endif %}.{% else %}{% if d.delivered_by_name %}{{ d.delivered_by_name }} delivered{% else %}No state is named as the deliverer of{% endif %} this {{ d.stance }} joint statement on {{ d.target_name }} (topics: {{ d.topics|join(", ") }}) at the {{ d.forum }}{% if d.session %}, session {{ d.session }}{% endif %}, {{ when }}.{% endif %}{{ r(d.refs) }}

{% if c.claimed_count %}It was made on behalf of {{ c.claimed_count }} countries (claimed); {% else %}No number of signatories was stated; {% endif %}{{ c.known_count }} {{ "is" if c.known_count == 1 else "are" }} named in the sources{% if c.partial %}, so the list is partial{% if c.unnamed_count %} and {{ c.unnamed_count }} signatories are unnamed{% endif %}{% endif %}.{{ r(c.refs) }}

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
{% if k %}{% if k.tie == "responds_to" %}The counter-statement{% else %}The opposite-stance statement of the same session{% endif %} ({{ k.id }}, {{ k.date }}) was {% if k.delivered_by_name %}delivered by {{ k.delivered_by_name }}{% else %}delivered without a named deliverer{% endif %}{% if k.claimed_count %} on behalf of {{ k.claimed_count }} countries (claimed){% endif %}; {{ k.known_count }} {{ "is" if k.known_count == 1 else "are" }} named{% if k.partial %}, so its list is partial{% endif %}.{{ r(k.refs) }}{% else %}No opposite-stance statement is tied to this one in the data.{% endif %}

{{ h2("Sources") }}
{% for s in sources %}{{ source_line(s) }}
{% endfor %}"""


def render(source, ref: str, fmt: str = "md") -> str:
    """The brief as Markdown, HTML or JSON text."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown brief format {fmt!r}; expected one of {', '.join(FORMATS)}")
    data = brief_facts(source, ref)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    env = Environment(autoescape=fmt == "html", keep_trailing_newline=True)
    if fmt == "md":
        helpers = {"h1": lambda t: f"# {t}", "h2": lambda t: f"## {t}",
                   "ref": lambda n: f" [[{n}]]({data['sources'][n - 1]['url']})",
                   "source_line": lambda s: f"{s['n']}. <{s['url']}>" + (f" — {s['what']}" if s["what"] else "")}
    else:
        from markupsafe import Markup, escape

        helpers = {"h1": lambda t: Markup(f"<h1>{escape(t)}</h1>"), "h2": lambda t: Markup(f"<h2>{escape(t)}</h2>"),
                   "ref": lambda n: Markup(f' <a href="{escape(data["sources"][n - 1]["url"])}">[{n}]</a>'),
                   "source_line": lambda s: Markup(
                       f'<p id="s{s["n"]}">{s["n"]}. <a href="{escape(s["url"])}">{escape(s["url"])}</a>'
                       + (f" — {escape(s['what'])}" if s["what"] else "") + "</p>")}
    text = env.from_string(_TEMPLATE).render(f=data["facts"], title=data["title"], sources=data["sources"], **helpers)
    text = "\n".join(line.rstrip() for line in text.splitlines())
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    if fmt == "html":
        paras = [p for p in text.split("\n\n") if p.strip()]
        body = "\n".join(p if p.lstrip().startswith("<") else f"<p>{p}</p>" for p in paras)
        text = f'<!doctype html>\n<html lang="en"><meta charset="utf-8"><title>{data["title"]}</title>\n{body}\n</html>'
    return text.strip() + "\n"
