"""Name resolution: the case files in tests/names/ plus the pitfalls of the libraries."""

from __future__ import annotations

import csv
import gzip
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from blocwatch import names, registry

CASES = Path(__file__).parent / "names"
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")  # "\u00a0" in a case file: an invisible character, visible


def _read_cases(pattern: str) -> list:
    """(file:line, input, expected) for every case line of the files matching ``pattern``."""
    cases = []
    for path in sorted(CASES.glob(pattern)):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            text, expected = line.split("\t")
            text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
            cases.append(pytest.param(text, expected, id=f"{path.name}:{n}"))
    return cases


@pytest.mark.parametrize("text,iso3", _read_cases("resolves.txt") + _read_cases("un_forms_*.txt")
                         + _read_cases("iso_*.txt") + _read_cases("ru_genitive.txt"))
def test_resolves(text, iso3):
    result = names.try_resolve(text)
    assert (result.iso3, result.reason) == (iso3, None), result.message
    assert result.confidence in (names.EXACT, names.STRIPPED, names.REGEX)
    assert names.resolve(text).iso3 == iso3


@pytest.mark.parametrize("text,code", _read_cases("resolves_former.txt"))
def test_resolves_with_former_states(text, code):
    result = names.try_resolve(text, include_former=True)
    assert result.iso3 == code, result.message


@pytest.mark.parametrize("text,reason", _read_cases("rejects.txt"))
def test_rejects(text, reason):
    assert reason in names.REASONS
    result = names.try_resolve(text)
    assert result.iso3 is None and result.name is None and result.confidence == 0.0
    assert result.reason == reason, f"{text!r}: {result.message}"
    assert result.message
    with pytest.raises(names.UnresolvedName) as info:
        names.resolve(text)
    assert info.value.resolution.reason == reason


def test_case_files_cover_every_state_in_every_language():
    states = {c.iso3 for c in registry.countries()}
    assert len(states) == 195
    for lang in ("en", "fr", "es", "ru", "ar", "zh_CN", "zh_TW"):
        covered = {p.values[1] for p in _read_cases(f"iso_{lang}.txt")}
        assert covered == states, lang


def test_russian_genitive_file_covers_every_state():
    """"От имени Германии, Бельгии ...": each of the 195 states has its genitive form in the case file."""
    covered = {p.values[1] for p in _read_cases("ru_genitive.txt")}
    assert covered == {c.iso3 for c in registry.countries()}
    # every declined form in the alias table is in the case file (and so is tested)
    with registry.data_path("aliases.csv").open(encoding="utf-8", newline="") as fh:
        declined = {(r["alias"], r["iso3"]) for r in csv.DictReader(fh) if r["note"].startswith("genitive")}
    assert declined <= {tuple(p.values) for p in _read_cases("ru_genitive.txt")}


def test_unresolved_name_is_a_not_found_error_with_close_matches():
    from blocwatch.errors import BlocwatchError, NotFound

    with pytest.raises(NotFound) as info:
        names.resolve("Kyrgyzstn")
    err = info.value
    assert isinstance(err, names.UnresolvedName) and isinstance(err, LookupError)
    assert isinstance(err, BlocwatchError) and err.exit_code == 2
    assert err.close_matches[0] == "Kyrgyzstan (KGZ)"
    assert "\n" not in str(err) and "Kyrgyzstn" in str(err)
    with pytest.raises(names.UnresolvedName) as info:
        names.resolve("Korea")
    assert set(info.value.close_matches) == {"Democratic People's Republic of Korea (PRK)",
                                             "Republic of Korea (KOR)"}


def test_errors_module_imports_nothing_from_blocwatch():
    import ast

    import blocwatch.errors

    tree = ast.parse(Path(blocwatch.errors.__file__).read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m.startswith("blocwatch")]


@pytest.mark.parametrize("text,iso3", [("no", "NOR"), ("No", "NOR"), ("is", "ISL"), ("fra", "FRA"),
                                       ("Fra", "FRA"), ("us", "USA"), ("uk", "GBR"), ("usa", "USA")])
def test_a_whole_input_that_is_a_code_resolves_in_any_case(text, iso3):
    result = names.resolve(text)
    assert result.iso3 == iso3


def test_prc_is_china_not_a_close_match_to_the_dr_congo():
    assert names.resolve("PRC").iso3 == "CHN"
    assert names.resolve("Zaire").iso3 == "COD" and names.resolve("Zaire", include_former=True).iso3 == "COD"


def test_case_files_cover_the_issue_examples():
    resolves = {p.values[0] for p in _read_cases("resolves.txt")}
    for text in ("Türkiye", "Turkey", "Republic of Türkiye", "Eswatini", "Swaziland", "Czechia",
                 "Czech Republic", "U.K.", "United Kingdom of Great Britain and Northern Ireland",
                 "DPRK", "North Korea", "Lao People's Democratic Republic", "Laos",
                 "Bolivia (Plurinational State of)", "State of Palestine", "Îles Marshall",
                 "جمهورية جزر المارشال", "史瓦帝尼王國", "the Netherlands", "NORWAY",
                 "U.S.", "USA", "UAE", "DRC", "Guinea", "Guinea-Bissau", "Equatorial Guinea",
                 "Niger", "Nigeria", "Dominica", "Dominican Republic", "Sudan", "South Sudan",
                 "Congo", "the Congo"):
        assert text in resolves, text
    rejects = {p.values[0] for p in _read_cases("rejects.txt")}
    assert {"Korea", "Taiwan", "Kosovo", "Puerto Rico"} <= rejects


# --- the pitfalls of country_converter 1.3.2 named in the issue ------------------------

def test_namibia_resolves_although_its_code_is_the_string_na():
    assert names.resolve("Namibia").iso3 == "NAM"
    assert names.resolve("NA").iso3 == "NAM"
    assert names.resolve("Namibie").iso3 == "NAM"
    # country_converter's own table, read our way, keeps Namibia's regex and its code.
    assert any(iso3 == "NAM" for _p, iso3, _n in names._coco_patterns())


@pytest.mark.parametrize("text,iso3", [("UAE", "ARE"), ("U.S", "USA"), ("DRC", "COD"),
                                       ("U.K.", "GBR"), ("ROK", "KOR")])
def test_abbreviations_are_resolved_not_passed_through(text, iso3):
    assert names.resolve(text).iso3 == iso3


@pytest.mark.parametrize("text", ["ABC", "XYZ", "U.S.S.", "QQQ", "EUR"])
def test_arbitrary_three_letter_strings_are_not_codes(text):
    assert names.try_resolve(text).iso3 is None


def test_the_congo_is_the_republic_of_the_congo():
    assert names.resolve("the Congo").iso3 == "COG"
    assert names.resolve("Congo").iso3 == "COG"
    assert names.resolve("Democratic Republic of the Congo").iso3 == "COD"


@pytest.mark.parametrize("text,iso3", [
    ("Royaume-Uni", "GBR"), ("République islamique d'Iran", "IRN"), ("Allemagne", "DEU"),
    ("المملكة المتحدة", "GBR"), ("الصين", "CHN"), ("ألمانيا", "DEU"),
    ("中国", "CHN"), ("德國", "DEU"), ("美利坚合众国", "USA"),
])
def test_french_arabic_and_chinese_names(text, iso3):
    assert names.resolve(text).iso3 == iso3


# --- no false positives -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "the delegation of France", "Canada (Amb. Bob Rae)", "France said", "Norway and Sweden",
    "Event by Germany", "the Republic of Foo", "Republic of China", "Kingdom of Korea",
])
def test_longer_text_containing_a_name_is_not_resolved(text):
    assert names.try_resolve(text).iso3 is None


def test_state_form_is_only_dropped_at_the_start():
    # "Democratic Republic of the Congo" must not lose "Republic of" and become the Congo.
    assert names.resolve("Democratic Republic of Congo").iso3 == "COD"
    assert names.resolve("Republic of Congo").iso3 == "COG"
    assert names.resolve("République du Congo").iso3 == "COG"
    result = names.resolve("Republic of Marshall Islands")
    assert (result.iso3, result.method, result.confidence) == ("MHL", "state_form_dropped", names.STRIPPED)


def test_articles_need_a_space_so_names_keep_their_first_letters():
    assert names.normalise("Laos") == "laos" and names.normalise("Lesotho") == "lesotho"
    assert names.normalise("the Netherlands") == "netherlands"
    assert names.try_resolve("os").iso3 is None and names.try_resolve("tvia").iso3 is None


def test_normalise_folds_case_diacritics_punctuation_and_footnotes():
    assert names.normalise("  CÔTE D’IVOIRE* ") == "cote d'ivoire"
    assert names.normalise("U.S.A.") == "usa"
    assert names.normalise("Guinea–Bissau[1]") == "guinea bissau"
    assert names.normalise("Соединённое") == "соединенное"
    assert names.normalise("Йемен") == "йемен"  # the breve of й is kept


def test_regex_fallback_accepts_one_unambiguous_hit_only():
    result = names.resolve("Korea, Dem. People's Rep.")
    assert (result.iso3, result.method, result.confidence) == ("PRK", "country_converter", names.REGEX)
    assert names.try_resolve("North Yemen").reason == "former_state"


# --- errors --------------------------------------------------------------------------------

def test_unresolved_name_lists_close_matches():
    result = names.try_resolve("Kyrgyzstn")
    assert result.reason == "unknown"
    assert result.alternatives[0].iso3 == "KGZ"
    assert "Kyrgyzstan (KGZ" in result.message and "Kyrgyzstn" in result.message


def test_ambiguous_name_lists_its_candidates():
    result = names.try_resolve("Korea")
    assert result.reason == "ambiguous"
    assert {m.iso3 for m in result.alternatives} == {"PRK", "KOR"}
    assert "Republic of Korea (KOR)" in result.message


def test_not_a_state_message_says_why():
    result = names.try_resolve("Taiwan")
    assert result.reason == "not_a_state" and "2758" in result.message


def test_former_state_message_names_successors():
    result = names.try_resolve("Czechoslovakia")
    assert result.reason == "former_state" and "CZE" in result.message and "--former" in result.message


def test_empty_names():
    for text in ("", "   ", "*", ",."):
        assert names.try_resolve(text).reason == "empty"


def test_resolution_to_dict_has_the_json_keys():
    data = names.try_resolve("Korea").to_dict()
    assert {"input", "iso3", "name", "confidence", "alternatives"} <= set(data)
    assert data["iso3"] is None
    assert {"iso3", "name", "score"} == set(data["alternatives"][0])


def test_results_are_cached():
    names.try_resolve("Ruritania")
    before = names.try_resolve.cache_info().hits
    assert names.try_resolve("Ruritania") is names.try_resolve("Ruritania")
    assert names.try_resolve.cache_info().hits == before + 2


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_never_raises_and_never_leaves_the_registry(text):
    result = names.try_resolve(text, include_former=True)
    assert result.iso3 is None or registry.exists(result.iso3)
    assert (result.iso3 is None) == (result.reason is not None)


# --- the tables and the real data -----------------------------------------------------------

def test_alias_table_is_consistent():
    with registry.data_path("aliases.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    seen: dict[str, str] = {}
    for n, row in enumerate(rows, 2):
        assert registry.exists(row["iso3"]), f"aliases.csv:{n}: unknown code {row['iso3']}"
        key = names.normalise(row["alias"])
        assert seen.setdefault(key, row["iso3"]) == row["iso3"], f"aliases.csv:{n}: {row['alias']!r} clashes"
        assert names.try_resolve(row["alias"], include_former=True).iso3 == row["iso3"], f"aliases.csv:{n}"


@pytest.mark.slow  # every vote of 1946-2019: run by make test, not test-fast
def test_unvotes_names_resolve_to_the_entity_their_code_gives(shared_data):
    with gzip.open(shared_data / "unga" / "un_votes.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        pairs = {(r["country"], r["country_code"]) for r in csv.DictReader(fh)}
    assert len(pairs) == 200
    for name, code in sorted(pairs):
        entity = registry.get(names.resolve(name, include_former=True).iso3)
        if entity.current:
            assert entity.iso2 == code, name
        elif code == "TW":
            assert entity.iso3 == "ROC"
        elif code:  # ISO 3166-3 alpha-4 codes begin with the former alpha-2 code
            assert f"({code}" in entity.code_source, name
        else:
            assert entity.code_source.startswith("project code"), name


def test_statement_signatories_resolve(shared_data):
    for path in sorted((shared_data / "statements").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name in data.get("signatories") or []:
            result = names.try_resolve(name)
            assert result.resolved, f"{path.name}: {result.message}"


def test_historical_names_carry_their_note():
    result = names.resolve("Serbia and Montenegro")
    assert result.iso3 == "SRB" and "2006" in result.message and "Federal Republic of Yugoslavia" in result.message
    assert "1971" in names.resolve("Zaire").message
    assert names.resolve("Serbia").message is None  # a current name needs no note
