"""Build the curated event files from the raw statements in ``shared/data/statements`` (copied to curation/sources).

For each raw ``<id>.yaml`` this writes ``data/events/<id>.yaml``: names
resolved to ISO3 with :func:`blocwatch.names.try_resolve` (the source's text
kept beside each code), the forum mapped to a key, the reviewed facts of
``review.yaml`` merged in (``responds_to``, dated changes) after checking that
each quote occurs under its URL in the raw evidence, and every signatory
linked to the raw source block its list was copied from (found with
:func:`blocwatch.signatories.parse_signatories`). Any name that does not
resolve stops the build with an error naming the file and the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from blocwatch.names import try_resolve
from blocwatch.statements.dataset import DatasetError, parse_event
from blocwatch.store.provenance import sha256_of

FORUM_KEYS = {
    "HRC": "hrc",
    "GA Third Committee": "ga_third_committee",
    "letter to HRC President": "letter_hrc_president",
}
SERIES_TARGET = {"xinjiang": "CHN"}
# Texts that say no state is named as deliverer or lead.
_NOT_STATED = re.compile(r"^\s*(?:n/a|not\b|none\b|unknown)", re.IGNORECASE)
# A parenthetical that makes the attribution uncertain: keep the text, leave the code null.
_UNCERTAIN = re.compile(r"probable|not confirmed|unverified|unclear", re.IGNORECASE)


class CurationError(ValueError):
    """A raw file that cannot be curated as it is; the message names file and problem."""


@dataclass(frozen=True)
class Block:
    """The text quoted under one URL in a raw evidence file."""

    url: str
    text: str
    file: str


def source_blocks(text: str, file: str = "") -> list[Block]:
    """Split a raw evidence text into (url, quoted text) blocks: a line starting with http opens a block."""
    blocks: list[Block] = []
    url: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith(("http://", "https://")):
            if url:
                blocks.append(Block(url, "\n".join(lines), file))
            url, lines = line.split()[0], []
        elif url:
            lines.append(line)
    if url:
        blocks.append(Block(url, "\n".join(lines), file))
    return blocks


def resolve_actor(text: str | None) -> str | None:
    """ISO3 of the state a deliverer/lead text names, or None when none is named or it is uncertain."""
    if not text or _NOT_STATED.match(text):
        return None
    paren = re.search(r"\(([^)]*)\)", text)
    if paren and _UNCERTAIN.search(paren.group(1)):
        return None
    head = re.sub(r"\s*\(.*$", "", text).strip()
    found = try_resolve(head)
    return found.iso3


def _resolve(name: str, where: str) -> str:
    found = try_resolve(name)
    if not found.resolved or found.iso3 is None:
        raise CurationError(f"{where}: signatory {name!r} does not resolve: {found.message}")
    return found.iso3


def _block_naming(blocks: list[Block], name: str) -> str | None:
    needle = name.casefold()
    for b in blocks:
        if needle in b.text.casefold():
            return b.url
    return None


def _parsed_lists(blocks: list[Block]) -> dict[str, set[str]]:
    """URL -> the states the project's signatory parser finds in that block (all lists)."""
    from blocwatch.signatories import parse_signatories

    found: dict[str, set[str]] = {}
    for b in blocks:
        res = parse_signatories(b.text)
        found.setdefault(b.url, set()).update(c for lst in res.lists for c in lst.iso3s)
    return found


def _list_block(parsed: dict[str, set[str]], iso3s: list[str]) -> str | None:
    """The block naming the most of ``iso3s`` (the first on ties): where the list was copied from."""
    best = max(parsed.items(), key=lambda kv: len(kv[1] & set(iso3s)), default=None)
    return best[0] if best and best[1] & set(iso3s) else None


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (YAML would keep only the last)."""


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise CurationError(f"review.yaml:{key_node.start_mark.line + 1}: key {key!r} is given twice "
                                f"(first on line {seen[key]}); merge the two entries")
        seen[key] = key_node.start_mark.line + 1
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def load_review(text: str | None = None) -> dict:
    """The reviewed facts (``review.yaml``, or ``text``) keyed by event id; a repeated key is an error."""
    if text is None:
        text = (resources.files("blocwatch.statements") / "review.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_UniqueKeyLoader) or {}


def _split_names(quote: str) -> list[str]:
    return [n.strip() for n in re.split(r",|\band\b", quote) if n.strip()]


def _check_quote(all_blocks: dict[str, list[Block]], url: str, quote: str, where: str) -> None:
    blocks = all_blocks.get(url, [])
    if not blocks:
        raise CurationError(f"{where}: URL {url} is not in any raw evidence file")
    if not any(quote in b.text for b in blocks):
        raise CurationError(f"{where}: quote not found under {url} in the raw evidence: {quote[:80]!r}")


def _quoted_names(item: dict, where: str) -> list[tuple[str, str]]:
    """(name to resolve, its spelling in the quote) for each name of a reviewed item; checked against the quote."""
    out = []
    for entry in item.get("names") or _split_names(item["quote"]):
        # A name may be {name: Fiji, in_quote: 斐濟} when the quote is in another language.
        name = str(entry["name"]) if isinstance(entry, dict) else entry
        in_quote = str(entry.get("in_quote") or name) if isinstance(entry, dict) else entry
        if in_quote.casefold() not in item["quote"].casefold():
            raise CurationError(f"{where}: name {in_quote!r} does not occur in its quote")
        out.append((name, in_quote))
    return out


def _also_named(reviewed: dict, raw: dict, blocks: list[Block], all_blocks: dict[str, list[Block]],
                signatories: list[dict]) -> list[dict]:
    """Signatories a source names outside the list the raw file copied (``also_named`` in review.yaml).

    Each reviewed item quotes one of the event's own evidence blocks. A state already in the list gets
    that quote as its source (a better attribution than the parser found); any other state is returned
    as ``{iso3, name, source, quote}``: named as a signatory, but not part of the copied list.
    """
    where = f"review.yaml[{raw['id']}]"
    own = {b.url for b in blocks}
    listed = {s["iso3"]: s for s in signatories}
    extra: list[dict] = []
    for item in reviewed.get("also_named", []):
        if item["source"] not in own:
            raise CurationError(f"{where}: also_named source {item['source']} is not in raw/{raw['id']}.txt")
        _check_quote(all_blocks, item["source"], item["quote"], where)
        for name, _ in _quoted_names(item, where):
            iso3 = _resolve(name, where)
            if iso3 in listed:
                listed[iso3]["source"] = item["source"]
            elif iso3 not in {x["iso3"] for x in extra}:
                extra.append({"iso3": iso3, "name": name, "source": item["source"], "quote": item["quote"]})
    return extra


def curate_one(raw_path: Path, review: dict, all_blocks: dict[str, list[Block]]) -> dict:
    """The curated event (a dict ready to dump as YAML) for one raw statement file."""
    raw = yaml.safe_load(raw_path.read_text(encoding="utf-8"))
    where = str(raw_path)
    txt_path = raw_path.parent / "raw" / f"{raw['id']}.txt"
    blocks = source_blocks(txt_path.read_text(encoding="utf-8"), txt_path.name) if txt_path.exists() else []
    if raw["forum"] not in FORUM_KEYS:
        raise CurationError(f"{where}: unknown forum {raw['forum']!r}; expected one of {', '.join(FORUM_KEYS)}")
    source_urls = [s["url"] for s in raw["sources"]]
    series = "xinjiang"
    iso3s = [_resolve(name, where) for name in raw["signatories"]]
    # A source the raw notes flag as discrepant ("what: 'discrepant: ...'") is the last resort
    # for a signatory's attribution, after every other block that names the state.
    discrepant = {s["url"] for s in raw["sources"] if str(s.get("what") or "").lower().startswith("discrepant")}
    blocks = sorted(blocks, key=lambda b: b.url in discrepant)
    parsed = _parsed_lists(blocks)
    list_url = _list_block(parsed, iso3s)
    signatories = []
    for name, iso3 in zip(raw["signatories"], iso3s, strict=True):
        source = list_url if list_url and iso3 in parsed[list_url] else None
        source = source or next((url for url, found in parsed.items() if iso3 in found), None)
        signatories.append({"iso3": iso3, "name": name,
                            "source": source or _block_naming(blocks, name) or source_urls[0]})
    reviewed = review.get(raw["id"], {})
    also_named = _also_named(reviewed, raw, blocks, all_blocks, signatories)
    changes = []
    for c in reviewed.get("changes", []):
        _check_quote(all_blocks, c["source"], c["quote"], f"review.yaml[{raw['id']}]")
        for name, _ in _quoted_names(c, f"review.yaml[{raw['id']}]"):
            changes.append({"iso3": _resolve(name, f"review.yaml[{raw['id']}]"), "name": name,
                            "change": c["change"], "date": str(c["date"]), "source": c["source"],
                            "quote": c["quote"]})
    basis = reviewed.get("responds_to_basis")
    if basis:
        _check_quote(all_blocks, basis["url"], basis["quote"], f"review.yaml[{raw['id']}]")
    return {
        "id": raw["id"],
        "series": series,
        "kind": "letter" if raw["forum"].startswith("letter") else "statement",
        "title": raw["title"],
        "forum": FORUM_KEYS[raw["forum"]],
        "session": raw.get("session"),
        "date": str(raw["date"]),
        "delivered_by": resolve_actor(raw.get("delivered_by")),
        "delivered_by_text": raw.get("delivered_by"),
        "lead": resolve_actor(raw.get("lead")),
        "lead_text": raw.get("lead"),
        "stance": raw["stance"],
        "target": SERIES_TARGET[series],
        "topics": list(raw.get("topics") or []),
        "claimed_count": raw.get("claimed_count"),
        "list_complete": bool(raw["list_complete"]),
        "signatories": signatories,
        "also_named": also_named,
        "changes": changes,
        "responds_to": reviewed.get("responds_to"),
        "responds_to_basis": basis,
        "notes": raw.get("notes"),
        "sources": [{"url": s["url"], "what": s.get("what")} for s in raw["sources"]],
        "provenance": {
            "raw": f"shared/data/statements/{raw_path.name}",
            "raw_sha256": sha256_of(raw_path),
            "evidence": f"shared/data/statements/raw/{txt_path.name}" if txt_path.exists() else None,
            "evidence_sha256": sha256_of(txt_path) if txt_path.exists() else None,
            "built_by": "blocwatch curate statements",
        },
    }


def all_blocks(statements_dir: Path) -> dict[str, list[Block]]:
    """Every raw evidence block of the folder, by URL."""
    found: dict[str, list[Block]] = {}
    for txt in sorted((statements_dir / "raw").glob("*.txt")):
        for b in source_blocks(txt.read_text(encoding="utf-8"), txt.name):
            found.setdefault(b.url, []).append(b)
    return found


def build(statements_dir: Path, out_dir: Path) -> list[str]:
    """Write one curated file per raw statement into ``out_dir``; return the ids written.

    Nothing is written unless every file curates and validates (all or nothing).
    """
    statements_dir, out_dir = Path(statements_dir), Path(out_dir)
    raws = sorted(statements_dir.glob("*.yaml"))
    if not raws:
        raise CurationError(f"no raw statement files (*.yaml) in {statements_dir}")
    review = load_review()
    unknown = set(review) - {p.stem for p in raws}
    if unknown:
        raise CurationError(f"review.yaml names events with no raw file: {', '.join(sorted(unknown))}")
    blocks = all_blocks(statements_dir)
    texts = {}
    for raw_path in raws:
        event = curate_one(raw_path, review, blocks)
        text = "# Curated by `blocwatch curate statements` from " + event["provenance"]["raw"] + \
               " -- do not edit by hand.\n" + yaml.safe_dump(event, sort_keys=False, allow_unicode=True, width=100)
        try:
            parse_event(out_dir / f"{event['id']}.yaml", text)
        except DatasetError as exc:
            raise CurationError(f"{raw_path}: curated result does not validate: {exc}") from None
        texts[event["id"]] = text
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.yaml"):
        if old.stem not in texts:
            old.unlink()
    for event_id, text in texts.items():
        (out_dir / f"{event_id}.yaml").write_text(text, encoding="utf-8")
    return list(texts)
