"""Abbreviations readers meet on the site, spelt out: the /about glossary and first-use expansions.

Pages send this table to the browser, which spells out the first use of each term on a page
(``static/js/glossary.js``; the best-known names get a tooltip only); the about page lists it in
full. One home for the wording.
"""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    "CA": "combined authority",
    "DfE": "Department for Education",
    "EIA": "Education Investment Area",
    "EHCP": "education, health and care plan",
    "FSM": "free school meals",
    "GIAS": "Get Information about Schools, the register of schools",
    "GSS": "Government Statistical Service code for an area, such as E08000019",
    "IDACI": "Income Deprivation Affecting Children Index",
    "LA": "local authority",
    "LCEP": "Local Cultural Education Partnership",
    "MAT": "multi-academy trust",
    "MCA": "mayoral combined authority",
    "NPQ": "national professional qualification",
    "OGL": "Open Government Licence",
    "ONS": "Office for National Statistics",
    "PEIA": "Priority Education Investment Area",
    "SAT": "single-academy trust",
    "SCITT": "school-centred initial teacher training",
    "SEND": "special educational needs and disabilities",
    "TSH": "Teaching School Hub",
    "URN": "unique reference number of a school",
}

# Names most readers know: marked with a tooltip on first use but not spelt out in the text.
TOOLTIP_ONLY = frozenset({"DfE", "LA", "ONS", "OGL", "GSS"})


def for_pages() -> dict[str, object]:
    """What pages send to the browser: every term, and those given a tooltip only."""
    return {"terms": GLOSSARY, "tooltip_only": sorted(TOOLTIP_ONLY)}


def glossary() -> list[tuple[str, str]]:
    """The terms and their meanings, in alphabetical order."""
    return sorted(GLOSSARY.items(), key=lambda item: item[0].lower())
