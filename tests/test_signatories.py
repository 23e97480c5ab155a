"""The signatory-list parser on hand-written examples, one tricky construction each."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from blocwatch.signatories import looks_like_document, parse_any, parse_document, parse_signatories, split_document


def iso3s(text: str) -> list[str]:
    return [s.iso3 for s in parse_signatories(text).signatories]


# --- separators and conjunctions ------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Albania, Andorra, Australia", ["ALB", "AND", "AUS"]),
    ("Albania; Andorra; Australia", ["ALB", "AND", "AUS"]),
    ("Albania, Andorra and Australia", ["ALB", "AND", "AUS"]),
    ("Albania, Andorra, and Australia.", ["ALB", "AND", "AUS"]),
    ("Albania, Andorra as well as Australia", ["ALB", "AND", "AUS"]),
    ("Albania\nAndorra\nAustralia\n", ["ALB", "AND", "AUS"]),
    ("The signatories:\n• Albania\n• Andorra\n• Australia", ["ALB", "AND", "AUS"]),
    ("Albania,Andorra,Australia", ["ALB", "AND", "AUS"]),
    ("la France, l'Allemagne et le Japon", ["FRA", "DEU", "JPN"]),
    ("España, Francia y Alemania", ["ESP", "FRA", "DEU"]),
    ("Франция, Германия и Япония", ["FRA", "DEU", "JPN"]),
    ("فرنسا، ألمانيا واليابان", ["FRA", "DEU", "JPN"]),
    ("法国、德国和日本", ["FRA", "DEU", "JPN"]),
    ("法國、德國及日本", ["FRA", "DEU", "JPN"]),
])
def test_separators_and_conjunctions(text, expected):
    assert iso3s(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a conjunction inside a name is not a separator
    ("Bosnia and Herzegovina, Trinidad and Tobago and Antigua and Barbuda", ["BIH", "TTO", "ATG"]),
    ("Antigua y Barbuda, Bosnia y Herzegovina y España", ["ATG", "BIH", "ESP"]),
    ("Saint Vincent and the Grenadines and Sao Tome and Principe", ["VCT", "STP"]),
    # a missing comma between two names
    ("Bulgaria, Canada, Croatia Czech Republic, Denmark", ["BGR", "CAN", "HRV", "CZE", "DNK"]),
])
def test_names_containing_conjunctions(text, expected):
    assert iso3s(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Guinea, Guinea-Bissau, Equatorial Guinea and Papua New Guinea", ["GIN", "GNB", "GNQ", "PNG"]),
    ("Niger, Nigeria, Sudan, South Sudan, Dominica and the Dominican Republic",
     ["NER", "NGA", "SDN", "SSD", "DMA", "DOM"]),
    ("the Congo and the Democratic Republic of the Congo", ["COG", "COD"]),
])
def test_similar_names_stay_apart(text, expected):
    assert iso3s(text) == expected


def test_footnote_marks():
    assert iso3s("Albania*, Andorra¹, Australia[a] and Austria†") == ["ALB", "AND", "AUS", "AUT"]


def test_text_as_written_is_kept():
    result = parse_signatories("the Kingdom of the Netherlands, U.K. and Türkiye")
    assert [(s.text, s.iso3) for s in result.signatories] == [
        ("the Kingdom of the Netherlands", "NLD"), ("U.K.", "GBR"), ("Türkiye", "TUR")]


# --- prose around the list ------------------------------------------------------------------

def test_leading_and_trailing_prose_are_trimmed():
    text = ("Annex to the letter dated 12 July 2019 from the representatives of Algeria, Angola, "
            "the Plurinational State of Bolivia, Zimbabwe and the State of Palestine to the United "
            "Nations Office at Geneva addressed to the President of the Human Rights Council")
    assert iso3s(text) == ["DZA", "AGO", "BOL", "ZWE", "PSE"]


def test_list_introduced_by_including():
    text = "The statement was signed by 4 countries including Albania, Austria, Belgium and Chile."
    result = parse_signatories(text)
    assert [s.iso3 for s in result.signatories] == ["ALB", "AUT", "BEL", "CHL"]
    assert result.claimed_count == 4 and result.count_matches is True


def test_prose_closes_a_list():
    text = "Albania, Andorra and Austria signed. The statement was read out by France on Tuesday."
    result = parse_signatories(text)
    assert [s.iso3 for s in result.signatories] == ["ALB", "AND", "AUT"]
    assert "FRA" not in [s.iso3 for lst in result.lists for s in lst.signatories]


def test_possessive_is_not_a_signatory():
    assert iso3s("China's Foreign Ministry welcomed it; Chile's envoy and Peru's spoke.") == []


def test_non_states_make_no_list():
    result = parse_signatories("issues related to Xinjiang, Hong Kong and Tibet are internal affairs")
    assert result.signatories == [] and result.lists == []


def test_chinese_prose_trimmed():
    assert iso3s("澳大利亚、加拿大和日本参与签署。") == ["AUS", "CAN", "JPN"]


def test_arabic_list_after_colon():
    assert iso3s("الدول التي أصدرت البيان هي: ألبانيا، أستراليا، النمسا.") == ["ALB", "AUS", "AUT"]


def test_russian_list_in_a_sentence():
    assert iso3s("Заявление поддержали Франция, Германия и Япония.") == ["FRA", "DEU", "JPN"]


# --- the speaker -------------------------------------------------------------------------------

def test_my_own_country_at_the_end():
    text = ("on behalf of the following 4 countries: Albania, Andorra, Australia, "
            "and my own country, the United Kingdom.")
    result = parse_signatories(text)
    assert [s.iso3 for s in result.signatories] == ["ALB", "AND", "AUS", "GBR"]
    assert [s.own_country for s in result.signatories] == [False, False, False, True]
    assert result.unresolved == [] and result.count_matches is True


def test_my_country_then_the_following():
    text = ("I speak on behalf of my country, Canada, and the following 3 countries: "
            "Albania, Andorra and the United States.")
    result = parse_signatories(text)
    assert [s.iso3 for s in result.signatories] == ["CAN", "ALB", "AND", "USA"]
    assert result.signatories[0].own_country
    assert result.claimed_count == 4 and result.count_matches is True and result.complete is True


def test_joined_by_count_includes_the_named_state():
    text = "38 countries joined Germany: Albania and Austria."
    result = parse_signatories(text)
    assert result.claimed_count == 39
    assert result.count_matches is False


# --- what is not resolved is reported ------------------------------------------------------------

def test_unresolved_inside_the_list_is_reported():
    result = parse_signatories("Albania, Andorra, Karabagh, Monaco and Nauru")
    assert [s.iso3 for s in result.signatories] == ["ALB", "AND", "MCO", "NRU"]
    assert [f.text for f in result.unresolved] == ["Karabagh"]
    # no count is stated, but an unresolved item shows the resolved list is partial
    assert result.complete is False
    assert "Karabagh" in " ".join(result.problems)


def test_unresolved_last_item_after_and_is_reported():
    result = parse_signatories("on behalf of 3 countries: Albania, Andorra and Neu Seeland.")
    assert [f.text for f in result.unresolved] == ["Neu Seeland"]
    assert result.count_matches is False and result.complete is False


def test_non_state_inside_a_list_is_unresolved_not_resolved():
    result = parse_signatories("Albania, Andorra, Taiwan, Austria")
    assert "TWN" not in [s.iso3 for s in result.signatories]
    assert [f.text for f in result.unresolved] == ["Taiwan"]


def test_duplicates():
    result = parse_signatories("Albania, Andorra, Austria, Albania")
    assert [s.iso3 for s in result.signatories] == ["ALB", "AND", "AUT"]
    assert result.duplicates == ["ALB"]
    assert result.to_dict()["duplicates"] == ["ALB"]


def test_list_cut_mid_word_is_truncated():
    result = parse_signatories('The statement was supported by Bahrain, Belarus, B"')
    assert [s.iso3 for s in result.signatories] == ["BHR", "BLR"]
    assert result.truncated and result.complete is False
    assert [f.text for f in result.primary.edges] == ["B"]


def test_list_ending_in_ellipsis_is_truncated():
    result = parse_signatories("on behalf of 40 countries: Albania, Andorra, Austria, ...")
    assert result.truncated and result.complete is False


def test_ellipsis_inside_a_list_is_an_elision():
    result = parse_signatories("Supporting: China, Cuba, ..., Zambia and Zimbabwe")
    assert [s.iso3 for s in result.signatories] == ["CHN", "CUB", "ZMB", "ZWE"]
    assert result.primary.elided and result.complete is False


# --- counts and choice of list -------------------------------------------------------------------

def test_count_matches():
    result = parse_signatories("on behalf of 3 countries: Albania, Andorra and Austria")
    assert (result.claimed_count, result.count_matches, result.complete) == (3, True, True)


def test_count_does_not_match():
    result = parse_signatories("au nom de 44 pays : la France, l'Allemagne et le Japon")
    assert (result.claimed_count, result.count_matches, result.complete) == (44, False, False)
    assert result.problems == ["3 states listed, 44 claimed"]


def test_no_count_stated():
    result = parse_signatories("Albania, Andorra and Austria")
    assert result.claimed_count is None and result.count_matches is None and result.complete is None


def test_largest_list_is_primary_and_all_are_exposed():
    text = ("Supporting: China, Cuba and Iran.\n"
            "Opposing: Australia, Austria, Belgium, Canada and Denmark.")
    result = parse_signatories(text)
    assert [s.iso3 for s in result.signatories] == ["AUS", "AUT", "BEL", "CAN", "DNK"]
    assert [lst.iso3s for lst in result.lists] == [["CHN", "CUB", "IRN"], ["AUS", "AUT", "BEL", "CAN", "DNK"]]


def test_single_name_text():
    assert iso3s("Albania") == ["ALB"]
    assert iso3s("Belarus made the statement.") == []  # one name in prose is not a list


def test_json_has_the_issue_keys():
    data = parse_signatories("on behalf of 2 countries: Albania and Karabagh and Austria").to_dict()
    assert {"claimed_count", "signatories", "unresolved", "duplicates", "count_matches"} <= set(data)
    assert all({"text", "iso3"} <= set(s) for s in data["signatories"])
    assert data["unresolved"] == ["Karabagh"]
    json.dumps(data)


# --- raw evidence documents -----------------------------------------------------------------------

DOC = """# Raw evidence: a statement on behalf of 4 countries
# (made up for the test)

https://example.org/a  (news)
"A group of countries spoke. They included Albania and Andorra."

https://example.org/b  (official)
"On behalf of 4 countries: Albania, Andorra, Austria and Belgium."
[NB: the source also mentions Chile, Denmark and Estonia in a footnote]

https://example.org/c  (Chinese)
"阿尔巴尼亚、安道尔、奥地利"
[translation: Albania, Andorra, Austria]

https://example.org/d
"The list: Albania, Andorra, Austria, Belgium, Canada, Chile" [excerpt cut here]
"""


def test_split_document():
    blocks = split_document(DOC)
    assert [(b.kind, b.url) for b in blocks] == [
        ("header", None), ("source", "https://example.org/a"), ("source", "https://example.org/b"),
        ("source", "https://example.org/c"), ("translation", "https://example.org/c"),
        ("source", "https://example.org/d")]
    assert blocks[2].notes == ["NB: the source also mentions Chile, Denmark and Estonia in a footnote"]
    assert "Chile" not in blocks[2].text
    assert blocks[5].cut and not blocks[2].cut
    assert blocks[4].text == "Albania, Andorra, Austria"
    assert looks_like_document(DOC) and not looks_like_document("Albania, Andorra")


def test_parse_document_primary_and_counts():
    result = parse_document(DOC)
    # the largest list is the cut one in block d; its own block states no count, no block states 6,
    # so the header's count is the claim
    assert result.source.url == "https://example.org/d"
    assert [s.iso3 for s in result.signatories] == ["ALB", "AND", "AUT", "BEL", "CAN", "CHL"]
    assert result.truncated and result.complete is False
    assert result.claimed_count == 4 and result.count_source == "header"
    data = result.to_dict()
    assert data["source_url"] == "https://example.org/d"
    assert {lst["source_url"] for lst in data["lists"]} == {
        "https://example.org/a", "https://example.org/b", "https://example.org/c", "https://example.org/d"}
    assert "DNK" not in {s["iso3"] for lst in data["lists"] for s in lst["signatories"]}


def test_parse_document_prefers_own_block_count():
    doc = DOC.replace(', Canada, Chile" [excerpt cut here]', '"')
    result = parse_document(doc)
    assert result.source.url == "https://example.org/b"  # tie at 4: the uncut, earlier block
    assert result.claimed_count == 4 and result.count_source == "https://example.org/b"
    assert result.complete is True


def test_parse_any_dispatches():
    assert parse_any(DOC).source is not None
    assert [s.iso3 for s in parse_any("Albania and Andorra").signatories] == ["ALB", "AND"]


# --- command line ---------------------------------------------------------------------------------

@pytest.fixture
def run_cli():
    from blocwatch.cli import app

    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(app, list(args), input=input, catch_exceptions=False)


def test_cli_table(run_cli, tmp_path):
    path = tmp_path / "statement.txt"
    path.write_text("On behalf of 5 countries: Albania, Andorra, Karabagh, Austria and Belgium.",
                    encoding="utf-8")
    result = run_cli("parse", str(path))
    assert result.exit_code == 0, result.output
    for expected in ("Albania", "ALB", "Belgium", "BEL", "weog", "Karabagh", "unresolved",
                     "Claimed count: 5", "Count matches: no"):
        assert expected in result.output


def test_cli_json_from_stdin(run_cli):
    result = run_cli("parse", "-", "--json", input="Albania, Andorra and Austria, on behalf of 3 countries")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [s["iso3"] for s in data["signatories"]] == ["ALB", "AND", "AUT"]
    assert data["claimed_count"] == 3 and data["count_matches"] is True and data["unresolved"] == []


def test_cli_document(run_cli, tmp_path):
    path = tmp_path / "raw.txt"
    path.write_text(DOC, encoding="utf-8")
    data = json.loads(run_cli("parse", str(path), "--json").stdout)
    assert data["source_url"] == "https://example.org/d" and data["complete"] is False
    data = json.loads(run_cli("parse", str(path), "--json", "--mode", "text").stdout)
    assert "source_url" not in data


def test_cli_missing_file(run_cli, tmp_path):
    result = run_cli("parse", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert "nope.txt" in message and "no such file" in message


def test_un_bracket_forms_keep_their_brackets():
    result = parse_signatories("Albania, Bolivia (Plurinational State of), Congo (Brazzaville) "
                               "and Iran (Islamic Republic of)")
    assert [(s.text, s.iso3) for s in result.signatories] == [
        ("Albania", "ALB"), ("Bolivia (Plurinational State of)", "BOL"),
        ("Congo (Brazzaville)", "COG"), ("Iran (Islamic Republic of)", "IRN")]


# --- issue 8: binary input, progress, offsets, codes ----------------------------------------------

@pytest.mark.parametrize("text", ["Albania\x00\x01\x02 and Andorra", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                                  "\x01\x02\x03\x04\x05\x06" * 20 + "Albania and Andorra",
                                  "\ufffd\ufffd\ufffd\ufffd\ufffd abc", "\udc89\udc50\udc4e\udc47 x"])
def test_check_text_refuses_binary_data(text):
    from blocwatch.errors import InvalidInput
    from blocwatch.signatories import check_text

    with pytest.raises(InvalidInput) as info:
        check_text(text, "statement.bin")
    message = str(info.value)
    assert "statement.bin" in message and "\n" not in message and "binary" in message


@pytest.mark.parametrize("text", ["", "Albania, Andorra and Austria\n", "法国、德国和日本。",
                                  "فرنسا، ألمانيا واليابان", "Page 1\fPage 2\tcolumn\r\n",
                                  "Albania\x0b and a stray \x1b escape in a long text " * 3])
def test_check_text_accepts_text(text):
    from blocwatch.signatories import check_text

    check_text(text, "-")  # no error


def test_progress_is_reported_up_to_the_end():
    calls = []
    text = "On behalf of 3 countries: Albania, Andorra and Austria.\n" * 3000
    result = parse_signatories(text, progress=lambda done, total: calls.append((done, total)))
    assert len(calls) >= 2 and calls[-1] == (len(text), len(text))
    assert all(total == len(text) for _, total in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert result.signatories  # the callback changes nothing


def test_progress_through_parse_any_and_documents():
    calls = []
    result = parse_any(DOC, progress=lambda done, total: calls.append((done, total)))
    assert result.source is not None and calls[-1] == (len(DOC), len(DOC))
    assert all(0 <= d <= t for d, t in calls)


def test_offsets_stay_offsets_of_the_text_given():
    import unicodedata

    text = unicodedata.normalize("NFD", "Côte d'Ivoire, Türkiye\u00ad and Ger\u200bmany")
    result = parse_signatories(text)
    assert [s.iso3 for s in result.signatories] == ["CIV", "TUR", "DEU"]
    for s in result.signatories:
        assert text[s.start:s.end] == s.text
    assert result.signatories[2].text == "Ger\u200bmany"


def test_lowercase_short_words_in_prose_are_never_states():
    for text in ("Albania, Andorra and Austria: there is no doubt, it is in force and so are we",
                 "no, is, in, us and fra"):
        found = {s.iso3 for lst in parse_signatories(text).lists for s in lst.signatories}
        assert not found & {"NOR", "ISL", "IND", "USA", "FRA"}, text


def test_upper_case_codes_count_only_in_a_list_of_codes():
    assert iso3s("NOR, ISL, FRA and DEU") == ["NOR", "ISL", "FRA", "DEU"]
    result = parse_signatories("Albania, Andorra, NO, Austria and Belgium")
    assert [s.iso3 for s in result.signatories] == ["ALB", "AND", "AUT", "BEL"]
    assert [f.text for f in result.unresolved] == ["NO"]
    # abbreviations that are names, not ISO codes, still count among names
    assert iso3s("Albania, the UK, the USA and the UAE") == ["ALB", "GBR", "USA", "ARE"]


def test_work_grows_linearly_with_the_text(monkeypatch):
    """Deterministic stand-in for a timing test: resolver calls and count-phrase attempts per
    character stay the same when the text is 8 times longer (distinct fragments, no cache help)."""
    from blocwatch import counts, signatories

    def unit(k: int) -> str:
        return (f"Paragraph {k}: the delegation number {k} spoke on item {k} for {k} minutes. "
                f"On behalf of 3 countries: Albania, Andorra and Austria (ref {k}).\n")

    def work(n: int) -> tuple[int, int]:
        signatories._fragment_items.cache_clear()
        signatories._raw_fragment_items.cache_clear()
        resolves = attempts = 0
        real_resolve, real_phrase = signatories._resolve, counts._PHRASE

        def resolve(text, *args, **kwargs):
            nonlocal resolves
            resolves += 1
            return real_resolve(text, *args, **kwargs)

        class Phrase:
            def match(self, *args):
                nonlocal attempts
                attempts += 1
                return real_phrase.match(*args)

        monkeypatch.setattr(signatories, "_resolve", resolve)
        monkeypatch.setattr(counts, "_PHRASE", Phrase())
        parse_signatories("".join(unit(k) for k in range(n)))
        monkeypatch.setattr(signatories, "_resolve", real_resolve)
        monkeypatch.setattr(counts, "_PHRASE", real_phrase)
        return resolves, attempts

    small, large = work(50), work(400)
    assert small[0] >= 50 and small[1] >= 50  # the counters do count
    assert large[0] <= 8.5 * small[0] and large[1] <= 8.5 * small[1], (small, large)


def test_offsets_stay_honest_across_a_long_text_with_invisible_characters():
    unit = "On behalf of 3 countries: Nor\u00adway, Ger\u200bmany and Bel\u00a0gium. Co\u0302te d'Ivoire spoke.\n"
    text = "Albania and Andorra.\n" * 4000 + unit * 2000  # the changed characters fall in many chunks
    result = parse_signatories(text)
    assert result.lists[-1].iso3s == ["NOR", "DEU", "BEL"] and len(result.lists) == 4000 + 2000
    assert all(text[s.start:s.end] == s.text for lst in result.lists for s in lst.signatories)
    assert all(text[c.start:c.end] == c.text for c in result.counts)
    assert result.lists[-1].signatories[0].text == "Nor\u00adway"
