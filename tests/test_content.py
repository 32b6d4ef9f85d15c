"""leaflets/*.md -> Leaflet, and the Babel extractor that pybabel uses on them."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from helpers import DATA, make_project, read_po_file, ROOT
from leafpub.content.content import load_leaflets, parse_leaflet, read_leaflet
from leafpub.content.elements import Box
from leafpub.model import BulletList, Paragraph
from leafpub.problems import ProblemError
from leafpub.config import load_settings

GOOD = (DATA / "project" / "leaflets" / "hand-washing.md").read_text(encoding="utf-8")


def test_reads_metadata_sections_and_messages_with_their_lines():
    leaflet = read_leaflet(GOOD.encode(), "leaflets/hand-washing.md", "hand-washing")
    assert (leaflet.slug, leaflet.version, leaflet.owner) == ("hand-washing", "2.1", "Infection control team")
    assert (leaflet.last_reviewed, leaflet.next_review) == (date(2026, 10, 1), date(2027, 10, 1))
    assert leaflet.page_budget == 1
    assert leaflet.title.text == "Washing your hands" and leaflet.title.line == 3
    intro, how, when = leaflet.sections
    assert intro.heading is None
    assert how.heading.text == "How to wash your hands" and how.heading.line == 13
    paragraph, bullets = how.blocks
    assert isinstance(paragraph, Paragraph) and paragraph.text.text == "Use soap and warm water for **20 seconds**."
    assert isinstance(bullets, BulletList)
    assert [item.text for item in bullets.items] == ["Wet your hands.", "Rub them together with soap.",
                                                      "Rinse and dry them."]
    assert [item.line for item in bullets.items] == [17, 18, 19]
    assert "section 'How to wash your hands'" in bullets.items[0].context


def test_the_shipped_leaflet_reads_and_fits_the_brief():
    loaded = load_leaflets(load_settings(ROOT))
    leaflets, problems = loaded.leaflets, loaded.problems
    assert problems == ()
    (leaflet,) = [leaflet for leaflet in leaflets if leaflet.slug == "microneedling-scars"]
    text = " ".join(message.text for message in leaflet.messages())
    for hedge in ("usually", "within a few days", "may be more likely", "generally low"):
        assert hedge in text
    # Version 1.1's corrections: redness straight after treatment is common, not rare; the
    # depth is hedged; a dermatologist for sensitive skin; a safety net.
    assert "rare" not in text and "is common and normal" in text
    assert "they do not usually go deep enough to cause scarring" in text
    assert "ask a dermatologist before treatment" in text
    # Version 1.2's: the safety net sends a reaction that gets worse (first, so that nobody waits a
    # few days to act on it) to the clinic alone, in the body and in the Summary.
    safety_net = "Contact the clinic if redness or irritation gets worse, or has not settled after a few days."
    sections = {section.heading.text: " ".join(item.text for block in section.blocks for item in block.messages())
                for section in leaflet.sections if section.heading}
    # Version 1.2 (same text): "When to contact the clinic" is a box at the end of the aftercare advice.
    (box,) = [block for section in leaflet.sections for block in section.blocks if isinstance(block, Box)]
    assert box.title.text == "When to contact the clinic"
    for words in (sections["Does microneedling leave scars?"], " ".join(m.text for m in box.messages()),
                  sections["Summary"]):
        assert safety_net in words
    assert "gets worse" not in text.replace(safety_net, "")
    assert "whether microneedling suits your skin" in text and "is designed to renew the skin" in text
    for dropped in ("I have personally", "Discover safe and empowering", "fantastic"):
        assert dropped not in text
    headings = [section.heading.text for section in leaflet.sections if section.heading]
    assert len(headings) == len(set(headings)), "no section is repeated"


@pytest.mark.parametrize("edit, line, words", [
    (lambda t: t.replace("owner: Infection control team\n", ""), 1, "missing metadata field 'owner:'"),
    (lambda t: t.replace("version: 2.1", "colour: blue"), 4, "unknown metadata line"),
    (lambda t: t.replace("next-review: 2027-10-01", "next-review: soon"), 6, "YYYY-MM-DD"),
    (lambda t: t.replace("- Wet your hands.", "3. Wet your hands."), 17, "numbered steps start at 1"),
    (lambda t: t.replace("## When to ask", "### When to ask"), 21, "only '## ' section headings"),
    (lambda t: t.replace("slug: hand-washing", "slug: Hand Washing!"), 2, "lower-case"),
])
def test_a_mistake_is_reported_with_file_and_line(edit, line, words):
    with pytest.raises(ProblemError) as raised:
        parse_leaflet(edit(GOOD), "leaflets/hand-washing.md", "hand-washing")
    problem = raised.value.problems[0]
    assert (problem.path, problem.line) == ("leaflets/hand-washing.md", line)
    assert words in problem.message


def test_a_file_that_is_not_utf8_names_its_line(tmp_path):
    with pytest.raises(ProblemError) as raised:
        read_leaflet(GOOD.encode() + b"\nCaf\xe9\n", "leaflets/hand-washing.md", "hand-washing")
    assert str(raised.value.problems[0]) == "leaflets/hand-washing.md:25: not UTF-8 text"


def test_markup_in_the_source_is_kept_as_text_for_the_renderer():
    leaflet = parse_leaflet(GOOD.replace("Clean hands", "<script>alert(1)</script> Clean hands"),
                            "leaflets/hand-washing.md", "hand-washing")
    assert leaflet.sections[0].blocks[0].text.text.startswith("<script>alert(1)</script>")


def test_pybabel_extract_uses_the_shipped_extractor(tmp_path):
    """`pybabel extract -F babel.cfg` works unchanged: one message per title, heading, paragraph, item."""
    project = make_project(tmp_path, broken_locale=False)
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", "babel.cfg", "-c", "Translators:", "-o", str(pot), "."],
                   cwd=project, check=True, capture_output=True)
    catalog = read_po_file(pot)
    leaflet_ids = [m.id for m in catalog if m.id and m.locations[0][0].startswith("leaflets/")]
    assert leaflet_ids == ["Washing your hands", "Clean hands stop germs from spreading.",
                           "How to wash your hands", "Use soap and warm water for **20 seconds**.",
                           "Wet your hands.", "Rub them together with soap.", "Rinse and dry them.",
                           "When to ask for help", "Ask a nurse if you have a cut on your hands."]
    bold = catalog["Use soap and warm water for **20 seconds**."]
    assert bold.locations == [("leaflets/hand-washing.md", 15)]
    assert "Leaflet 'hand-washing', section 'How to wash your hands': paragraph" in bold.auto_comments
    # Strings in the templates are extracted too, with their translator comments.
    assert catalog["Your clinic"].locations[0][0] == "templates/contact-box.html"
    assert catalog[("%(count)s page", "%(count)s pages")] is not None
    draft = catalog["Draft translation — not yet reviewed by a qualified medical translator"]
    assert any("every page" in comment for comment in draft.auto_comments)
