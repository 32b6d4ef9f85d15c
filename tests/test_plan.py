"""What to build, decided without rendering: every document, its key, the packs' leaflets and the
failures that follow from problems. Every object here is made by hand."""

from datetime import date

from babel.support import NullTranslations

from leafpub.plan import incremental, plan
from leafpub.variants import FORMATS, Format
from leafpub.model import Clinic, Language, Leaflet, LeafletDocument, LocaleCatalog, Pack, Pdf, Review, SourceText
from leafpub.problems import Problem

ENGLISH = Language("en", "en", "ltr", "Latn", "English", "English")
ARABIC = Language("ar", "ar", "rtl", "Arab", "العربية", "Arabic")


def leaflet(slug="hand-washing", next_review=date(2027, 6, 1)) -> Leaflet:
    return Leaflet(slug=slug, path=f"leaflets/{slug}.md", title=SourceText("Washing your hands", 2, "title"),
                   version="1.0", last_reviewed=date(2026, 6, 1), next_review=next_review, owner="Dr A",
                   page_budget=2, sections=(), large_print_budget=4)


def catalog(language=ENGLISH, state="source") -> LocaleCatalog:
    path = None if language is ENGLISH else f"translations/{language.locale}/LC_MESSAGES/messages.po"
    return LocaleCatalog(language=language, path=path, translations=NullTranslations(), review=Review(state=state))


def pack(**changes) -> Pack:
    fields = dict(id="riverside", title="Leaflets", clinic=Clinic(name="Riverside"), leaflets=("hand-washing",),
                  locales=("en", "ar"), paper="A4", line=3)
    return Pack(**{**fields, **changes})


class Digests(incremental.Inputs):
    """The build's shared digests, fixed: the plan's keys without reading a file."""

    def __init__(self, **digests):
        super().__init__(settings=None, template_messages=())
        self.__dict__.update({"templates": "t", "fonts": "f", "software": "s", "site": "u", **digests})

    def leaflet(self, leaflet):
        return f"leaflet:{leaflet.slug}"

    def messages(self, leaflet, catalog):
        return f"messages:{catalog.language.locale}:{catalog.review.state}"


def key(planned: plan.Planned, digests=None) -> str:
    return incremental.document_key(planned.inputs(digests or Digests()))


def test_every_leaflet_is_planned_in_every_language_and_format():
    planned = plan.plan_leaflets([leaflet("a"), leaflet("b")], [catalog(), catalog(ARABIC)], overdue={"b"}).planned
    assert len(planned) == 2 * 2 * len(FORMATS) == 24
    assert {p.key_tuple for p in planned} == {(slug, locale, f.paper, f.variant) for slug in "ab"
                                              for locale in ("en", "ar") for f in FORMATS}
    assert {p.leaflet.slug for p in planned if p.overdue} == {"b"}
    labels = {p.label for p in planned}
    assert "leaflets/a/a.ar.letter.large-print.pdf" in labels and len(labels) == 24


def test_each_document_has_its_own_key_and_the_same_inputs_give_the_same_key():
    planned = plan.plan_leaflets([leaflet()], [catalog(), catalog(ARABIC)], overdue=set()).planned
    keys = [key(p) for p in planned]
    assert len(set(keys)) == len(keys)
    again = plan.plan_leaflets([leaflet()], [catalog(), catalog(ARABIC)], overdue=set()).planned
    assert keys == [key(p) for p in again]


def test_a_key_changes_with_each_input_that_changes_the_pdf():
    standard = plan.Planned(leaflet(), catalog(ARABIC, "draft"), Format("A4", "standard"))
    base = key(standard)
    assert key(plan.Planned(leaflet(), catalog(ARABIC, "approved"), Format("A4", "standard"))) != base
    assert key(plan.Planned(leaflet(), catalog(ARABIC, "draft"), Format("A4", "standard"), overdue=True)) != base
    assert key(standard, Digests(templates="other")) != base
    assert key(standard, Digests(fonts="other")) != base
    assert key(standard, Digests(software="other")) != base
    assert key(standard, Digests(site="other")) != base


def test_a_packs_leaflet_is_rendered_apart_with_its_box_left_empty():
    generic = plan.Planned(leaflet(), catalog(), Format("A4", "standard"))
    reserved = plan.Planned(leaflet(), catalog(), Format("A4", "standard"), reserved=True)
    assert key(generic) != key(reserved)
    assert reserved.pdf_variant == "pack-part" and generic.pdf_variant == "standard"
    assert reserved.label.endswith("(for packs)") and not reserved.shown_on_download_page
    assert generic.shown_on_download_page
    printed = plan.Planned(leaflet(), catalog(), Format("A4", "print"), reserved=True)
    assert printed.pdf_variant == "print"  # a print-shop pack keeps PDF/X


def test_review_dates_hold_back_overdue_leaflets_unless_allowed():
    due, fine = leaflet("due", next_review=date(2026, 1, 1)), leaflet("fine")
    reviewed = plan.split_by_review_date([due, fine], date(2026, 12, 3), allow_overdue=False)
    assert reviewed.leaflets == (fine,) and reviewed.overdue == set()
    problems = reviewed.problems
    assert [p.path for p in problems] == ["leaflets/due.md"] and "2026-01-01 (owner: Dr A)" in problems[0].message
    assert list(reviewed.late) == ["due"]
    reviewed = plan.split_by_review_date([due, fine], date(2026, 12, 3), allow_overdue=True)
    assert reviewed.leaflets == (due, fine) and reviewed.overdue == {"due"} and reviewed.problems == ()
    assert plan.split_by_review_date([due], date(2026, 1, 1), allow_overdue=False).leaflets == (due,)  # due that day


def test_packs_share_their_leaflets_and_a_pack_with_a_missing_language_is_not_planned():
    catalogs = {"en": catalog(), "ar": catalog(ARABIC)}
    packs = [pack(), pack(id="hillside", clinic=Clinic(name="Hillside")), pack(id="lost", locales=("en", "fr"))]
    plannable, bases = plan.plan_pack_bases(packs, [leaflet()], catalogs, overdue=set())
    assert [p.id for p in plannable] == ["riverside", "hillside"]
    assert set(bases) == {(p, "hand-washing", locale) for p in ("riverside", "hillside") for locale in ("en", "ar")}
    assert all(base.reserved for base in bases.values())
    assert len({key(base) for base in bases.values()}) == 2  # one per language, for every clinic


def test_a_packs_key_follows_its_parts_boxes_and_settings():
    inputs = plan.pack_inputs(pack(), ["k1", "k2"], ["<box>"], Digests())
    same = plan.pack_inputs(pack(), ["k1", "k2"], ["<box>"], Digests())
    assert incremental.document_key(inputs) == incremental.document_key(same)
    for other in (plan.pack_inputs(pack(), ["k1", "k3"], ["<box>"], Digests()),
                  plan.pack_inputs(pack(), ["k1", "k2"], ["<other box>"], Digests()),
                  plan.pack_inputs(pack(paper="Letter"), ["k1", "k2"], ["<box>"], Digests())):
        assert incremental.document_key(other) != incremental.document_key(inputs)
    assert incremental.why(same, inputs) == "its cached PDF was missing"
    assert incremental.why(plan.pack_inputs(pack(), ["k1"], ["<box>"], Digests()), inputs) == \
        "leaflets in it changed"


def test_a_pack_is_not_rebuilt_while_one_of_its_leaflets_did_not_build():
    document = LeafletDocument(leaflet(), ENGLISH, Format("A4", "standard"), "Washing", Pdf(b"%PDF", 1))
    built = {("hand-washing", "en", "A4", "standard"): document}
    problems = plan.unbuilt_pack_leaflets(pack(), built)
    assert len(problems) == 1 and problems[0].line == 3
    assert "hand-washing [ar] did not build" in problems[0].message
    assert plan.unbuilt_pack_leaflets(pack(locales=("en",)), built) == []


def test_a_failed_document_is_one_planned_and_not_built_with_the_problem_that_stopped_it():
    leaflet_plan = plan.plan_leaflets([leaflet()], [catalog(), catalog(ARABIC)], overdue=set())
    unbuilt = ("hand-washing", "ar", "A4", "large-print")
    stopped = Problem("translations/ar/LC_MESSAGES/messages.po", 12, "too long", locale="ar", leaflet="hand-washing")
    built = {p.key_tuple: "its document" for p in leaflet_plan.planned if p.key_tuple != unbuilt}
    (failure,) = leaflet_plan.failures(built, {unbuilt: stopped})
    assert (failure.kind, failure.key, failure.reason) == ("leaflet", unbuilt, str(stopped))
    assert leaflet_plan.failures({**built, unbuilt: "its document"}, {}) == []


def test_a_broken_catalog_keeps_every_document_of_its_language_as_it_was():
    broken = {"fr": [Problem("translations/fr/LC_MESSAGES/messages.po", 7, "bad")]}
    leaflet_plan = plan.plan_leaflets([leaflet()], [catalog()], overdue=set(), broken=broken)
    failures = leaflet_plan.failures({p.key_tuple: "its document" for p in leaflet_plan.planned}, {})
    # every PDF of the language, and its web version
    assert {f.key for f in failures} == {("hand-washing", "fr", *key) for key in plan.DOCUMENT_KEYS}
    assert ("", "web") in plan.DOCUMENT_KEYS and len(plan.DOCUMENT_KEYS) == len(FORMATS) + 1
    assert all("messages.po:7: bad" in f.reason for f in failures)


def test_a_leaflet_that_cannot_be_built_keeps_its_documents_in_every_language_and_a_broken_pack_its_pdf():
    unread = {"hand-washing": Problem("leaflets/hand-washing.md", 4, "no title")}
    broken = {"fr": [Problem("translations/fr/LC_MESSAGES/messages.po", 7, "bad")]}
    leaflet_plan = plan.plan_leaflets([], [catalog(), catalog(ARABIC)], overdue=set(), unbuildable=unread, broken=broken)
    failures = leaflet_plan.failures({}, {})
    assert {f.key for f in failures} == {("hand-washing", locale, *key) for locale in ("en", "ar", "fr")
                                        for key in plan.DOCUMENT_KEYS}
    assert {f.reason for f in failures if f.key[1] != "fr"} == {"leaflets/hand-washing.md:4: no title"}
    problems = [Problem("packs.toml", 9, "bad", pack="riverside"), Problem("packs.toml", 10, "worse", pack="riverside")]
    assert [(f.kind, f.key, f.reason) for f in plan.named_packs([*unread.values(), *problems])] == [
        ("pack", ("riverside",), "packs.toml:9: bad"), ("pack", ("riverside",), "packs.toml:10: worse")]
