from blocwatch import registry


def test_counts_per_group_match_the_un_table():
    s = registry.summary()
    assert s["members"] == 193
    assert s["observers"] == 2
    assert s["members_by_group"] == {
        "african": 54, "asia_pacific": 54, "eastern_european": 23,
        "latin_american_caribbean": 33, "weog": 29,
    }


def test_special_cases_kept_explicit():
    assert registry.get("TUR").regional_group == "weog"
    assert registry.get("TUR").also_in == ("asia_pacific",)
    assert registry.get("USA").regional_group == "weog"
    assert registry.get("VAT").regional_group is None
    assert registry.get("PSE").regional_group == "asia_pacific"
    assert not registry.get("PSE").un_member
    assert "CONFLICT" in registry.get("KIR").group_note


def test_former_states_have_end_dates_and_successors():
    ussr = registry.get("SUN")
    assert ussr.status == "former" and ussr.ended.year == 1991 and "RUS" in ussr.successors
    assert set(registry.get("CSK").successors) == {"CZE", "SVK"}
    assert all(c.ended for c in registry.all_entities() if c.status == "former")
    assert not any(c.status == "former" for c in registry.countries())


def test_group_filter_includes_states_also_in_a_group():
    asia = {c.iso3 for c in registry.countries("asia_pacific")}
    assert "TUR" in asia and "CHN" in asia and "FRA" not in asia
