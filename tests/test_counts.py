"""Claimed-count extraction: numbers in digits and words, six UN languages, what each phrase implies."""

from __future__ import annotations

import pytest

from blocwatch.counts import claimed_count, find_counts, parse_number


@pytest.mark.parametrize("text, value", [
    ("43", 43), ("٤٣", 43), ("forty-three", 43), ("Forty three", 43), ("twenty", 20),
    ("one hundred and five", 105), ("quarante-trois", 43), ("vingt et un", 21),
    ("soixante-dix", 70), ("soixante et onze", 71), ("quatre-vingts", 80),
    ("quatre-vingt-dix-neuf", 99), ("cuarenta y tres", 43), ("veintidós", 22), ("ciento cinco", 105),
    ("сорок три", 43), ("сорока трёх", 43), ("девяносто", 90), ("ثلاث وأربعون", 43),
    ("ثلاثة عشر", 13), ("四十三", 43), ("十五", 15), ("一百零五", 105), ("两", 2),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "forty-blue", "many", "X"])
def test_parse_number_rejects_non_numbers(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("text, total", [
    ("I deliver this statement on behalf of 43 countries.", 43),
    ("Déclaration au nom de 44 pays.", 44),
    ("Declaración conjunta en nombre de 43 países.", 43),
    ("Заявление от имени 43 стран.", 43),
    ("ألقت كوبا بيانا مشتركا نيابة عن 64 دولة", 64),
    ("ألقت كوبا بيانا مشتركا نيابة عن ٦٤ دولة", 64),
    ("古巴代表62个国家做共同发言", 62),
    ("古巴代表六十二個國家做共同發言", 62),
    ("A statement signed by forty-three nations", 43),
    ("Fifty United Nations member countries today issued a joint statement", 50),
    ("on behalf of a group of Eighty Countries", 80),
    ("the 39-strong group", 39),
    ("the 23-nation statement", 23),
    ("au nom de quarante-quatre États", 44),
    ("en nombre de cuarenta y tres Estados", 43),
    ("от имени сорока трёх государств", 43),
    ("50 Ambassadors from Kuwait and other countries co-signed", 50),
])
def test_plain_counts(text, total):
    assert claimed_count(text) == total


@pytest.mark.parametrize("text, number, total, kind", [
    # the named state is not among the number
    ("38 countries joined Germany at the United Nations", 38, 39, "joined"),
    ("the statement by the UK and 50 other countries", 50, 51, "plus_named"),
    ("Canada, joined by 43 countries, said", 43, 44, "plus_named"),
    ("on behalf of my country, Canada, and the following 50 countries: Albania", 50, 51, "plus_named"),
    # how many are named besides is not fixed by the phrase
    ("on behalf of Pakistan, Russia, Egypt and 47 other nations", 47, None, "others"),
    ("The other 38 countries that added their names were", 38, None, "others"),
    ("On July 26, another 13 countries signed the letter", 13, None, "additional"),
    ("Twenty-seven out of fifty-four African countries joined", 54, None, "part_of"),
])
def test_count_kinds(text, number, total, kind):
    mentions = find_counts(text)
    assert len(mentions) == 1, mentions
    m = mentions[0]
    assert (m.number, m.total, m.kind) == (number, total, kind)


@pytest.mark.parametrize("text, number", [
    ("on behalf of more than 40 countries", 40),
    ("Pakistan on behalf of nearly 70 countries", 70),
    ("plus de 40 pays", 40),
    ("más de 40 países", 40),
    ("более 40 стран", 40),
    ("أكثر من 40 دولة", 40),
    ("巴基斯坦代表近70个国家", 70),
    ("另有30多个国家以单独发言", 30),
])
def test_approximate_counts_are_never_claimed(text, number):
    mentions = find_counts(text)
    assert [(m.number, m.approximate, m.total) for m in mentions] == [(number, True, None)]
    assert claimed_count(text) is None


@pytest.mark.parametrize("text", [
    "At its 47th session in 2021 the Council met on 14 June.",
    "one country, two systems",
    "on behalf of a group of countries",
    "Resolution A/HRC/41/G/17 of 12 July 2019",
    "on behalf of more 40 than countries",  # garbled in a source: no count can be read
])
def test_no_count(text):
    assert claimed_count(text) is None


def test_first_exact_count_is_the_claim():
    text = ("Pakistan made a joint statement on behalf of 55 countries. Cuba also made a joint "
            "statement on behalf of 45 countries; Kuwait spoke for three Arab nations.")
    assert [m.total for m in find_counts(text)] == [55, 45, 3]
    assert claimed_count(text) == 55


def test_offsets_point_at_the_phrase():
    text = "Cuba, on behalf of 45 countries, said"
    (m,) = find_counts(text)
    assert text[m.start:m.end] == m.text == "45 countries"


# --- issue 8: a count claims only in a signatory context; "another N (list)" -------------------

@pytest.mark.parametrize("text", [
    "27 member states were consulted on the draft.",
    "The Council has 47 members and 27 states observed the vote.",
    "27 États membres ont été consultés.",
    "Se consultó a 27 Estados miembros.",
    "Были проведены консультации с 27 государствами.",
    "تمت استشارة 27 دولة عضوا.",
    "已有27个成员国接受咨询。",
])
def test_a_count_in_prose_is_no_claim(text):
    mentions = find_counts(text)
    assert [m.kind for m in mentions] == ["prose"]
    assert mentions[0].number == 27 and mentions[0].total == 27
    assert not mentions[0].claim and claimed_count(text) is None


@pytest.mark.parametrize("text, total", [
    ("Canada delivered a joint statement by 22 states.", 22),
    ("22 countries signed the letter.", 22),
    ("A group of 22 nations issued a joint statement.", 22),
    ("so far 57 countries have co-signed the statement", 57),
    ("Ambassadors from 37 countries co-signed the letter", 37),
    ("ten countries composing the core group spoke jointly", 10),
    ("a letter signed by 22 countries", 22),
    ("22 pays ont signé la lettre", 22),
    ("la carta firmada por 22 países", 22),
    ("подписали 22 страны", 22),
    ("وقعت 22 دولة على الرسالة", 22),
    ("22个国家联署了这封信", 22),
])
def test_a_count_in_a_signatory_context_is_a_claim(text, total):
    assert claimed_count(text) == total


@pytest.mark.parametrize("text, number", [
    ("Another 13 countries (Albania, Andorra) joined.", 13),
    ("13 more countries: Albania, Andorra", 13),
    ("13 autres pays (l'Albanie, l'Andorre)", 13),
    ("Otros 13 países (Albania, Andorra)", 13),
    ("Ещё 13 стран (Албания, Андорра)", 13),
    ("وانضمت 13 دولة أخرى (ألبانيا وأندورا)", 13),
    ("另有13个国家（阿尔巴尼亚、安道尔）", 13),
])
def test_another_n_countries_before_a_list_counts_that_list(text, number):
    (m,) = find_counts(text)
    assert (m.kind, m.total, m.exact, m.claim) == ("additional_list", number, True, False)
    assert claimed_count(text) is None  # the count of one list, not of the text


def test_count_phrases_are_found_in_long_texts_as_in_short_ones():
    """The anchored search finds the same phrases as the short texts, wherever they stand."""
    unit = ("Pakistan made a joint statement on behalf of 55 countries. More than 40 states "
            "were consulted; another 13 countries (A) joined. Cuba spoke for three Arab nations. ")
    text = unit * 300
    mentions = find_counts(text)
    assert len(mentions) == 4 * 300
    assert [m.kind for m in mentions[:4]] == ["count", "approximate", "additional_list", "count"]
    assert all(text[m.start:m.end] == m.text for m in mentions)


def test_anchored_search_finds_what_a_full_scan_finds(shared_data):
    """The fast search (from each noun back to its number) finds exactly the phrases that
    scanning the whole text with the phrase pattern finds, on every raw evidence file."""
    from blocwatch import counts

    def valid(matches, text):
        out = set()
        for m in matches:
            number = parse_number(m.group("num"))
            if number is not None and 2 <= number <= counts.MAX_COUNT:
                out.add((m.start(), m.end()))
        return out

    texts = [p.read_text(encoding="utf-8") for p in sorted((shared_data / "statements" / "raw").glob("*.txt"))]
    assert len(texts) >= 29
    for text in texts + ["\n".join(texts)]:
        assert valid(counts._phrases(text), text) == valid(counts._PHRASE.finditer(text), text)
