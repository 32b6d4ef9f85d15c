"""Blind back-translation: the file for the back-translator, the reconciliation report, the approval."""

import hashlib
import json
import tomllib

import pytest
from babel.messages.pofile import read_po

import pipeline
from fixture_texts import SPANISH
from helpers import make_project, pdf_text, plain, read_po_file, SPANISH_PO
from leafpub.catalogs.pofiles import po_bytes

ENGLISH_OF = {spanish: english for english, spanish in SPANISH.items()}
#: A back-translation that moved away from the English, for the report to put first.
DRIFTED = "Clean hands stop germs from spreading."
DRIFTED_BACK = "Hands that are washed keep bacteria away."


def blind_file(project, tmp_path):
    path = tmp_path / "es.back.po"
    assert pipeline.main(["--project", str(project), "back-translation", "export", "es", "-o", str(path)]) == 0
    return path


def back_translate(path, leave_out: str | None = None):
    """What an independent back-translator returns: the fixture's English, one text drifted."""
    with path.open("rb") as po:
        catalog = read_po(po)
    for message in list(catalog)[1:]:
        english = ENGLISH_OF.get(message.id)
        if leave_out and english == leave_out:
            continue
        message.string = DRIFTED_BACK if english == DRIFTED else (english or message.id)
    path.write_bytes(po_bytes(catalog))
    return path


def test_the_blind_file_holds_the_translations_and_no_english(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    path = blind_file(project, tmp_path)
    text = path.read_text(encoding="utf-8")
    blind = read_po_file(path)
    catalog = read_po_file(project / SPANISH_PO)
    translations = [form for message in list(catalog)[1:]
                    for form in (message.string if isinstance(message.string, tuple) else (message.string,))]
    assert sorted(message.id for message in list(blind)[1:]) == sorted(translations)
    for message in list(blind)[1:]:
        assert not (message.string or message.auto_comments or message.user_comments or message.locations)
    for message in list(catalog)[1:]:
        for english in (message.id if isinstance(message.id, tuple) else (message.id,)):
            # Headers say "Language: en"; no English sentence or label of the leaflets is in the file.
            assert english not in text or len(english) < 10, english
        for comment in message.auto_comments:
            assert comment not in text
    assert "hand-washing" not in text


def test_a_round_trip_writes_the_report_most_different_first(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    returned = back_translate(blind_file(project, tmp_path), leave_out="Wet your hands.")
    capsys.readouterr()
    assert pipeline.main(["--project", str(project), "back-translation", "report", "es", str(returned)]) == 0
    out = capsys.readouterr().out
    assert "wrote proofs/hand-washing.es.back-translation.pdf" in out
    assert "1 not back-translated" in out and "has no back-translation for 1 text(s)" in out
    text = plain(pdf_text(project / "proofs/hand-washing.es.back-translation.pdf"))
    assert "Back-translation reconciliation" in text and "Reconciliation" in text
    # The text with no back-translation first, then the drifted one, then those that agree.
    missing = text.index("(not back-translated)")
    drifted = text.index(DRIFTED_BACK)
    agreeing = text.index("Rinse and dry them. Aclárelas y séquelas. Rinse and dry them. 0%")
    assert missing < drifted < agreeing


def test_an_approval_records_a_complete_back_translation_and_status_shows_it(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    partial = back_translate(blind_file(project, tmp_path), leave_out="Wet your hands.")
    approve = ["--project", str(project), "approve", "es", "--by", "Dr Ana Ruiz", "--back-translation"]
    capsys.readouterr()
    assert pipeline.main([*approve, str(partial)]) == 1
    assert "has no back-translation for 1 text(s)" in capsys.readouterr().err
    assert not (project / "translations/es/LC_MESSAGES/approval.toml").exists()

    complete = back_translate(blind_file(project, tmp_path))
    assert pipeline.main([*approve, str(complete)]) == 0
    recorded = tomllib.loads((project / "translations/es/LC_MESSAGES/approval.toml").read_text())
    assert recorded["back_translation_sha256"] == hashlib.sha256(complete.read_bytes()).hexdigest()
    capsys.readouterr()
    pipeline.main(["--project", str(project), "status", "--json", "es"])
    (row,) = json.loads(capsys.readouterr().out)["locales"]
    assert row["review"] == "approved"
    assert row["back_translation"] == f"yes (SHA-256 {recorded['back_translation_sha256'][:12]}...)"


@pytest.mark.parametrize("content, expected", [
    (b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgctxt "x"\nmsgid "a"\nmsgstr "b"\n',
     "none of its texts is from the es catalog"),
    (b'msgid "a"\nmsgstr "unterminated\n', "back.po:"),
])
def test_a_file_that_is_not_this_catalogs_back_translation_is_refused(tmp_path, capsys, content, expected):
    project = make_project(tmp_path, broken_locale=False)
    (tmp_path / "back.po").write_bytes(content)
    assert pipeline.main(["--project", str(project), "back-translation", "report", "es",
                          str(tmp_path / "back.po")]) == 1
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not (project / "proofs/hand-washing.es.back-translation.pdf").exists()


def test_another_languages_back_translation_or_hidden_characters_are_refused(tmp_path, capsys):
    project = make_project(tmp_path, broken_locale=False)
    spanish = back_translate(blind_file(project, tmp_path))
    text = spanish.read_text(encoding="utf-8")
    # The same file said to be of another catalog: no text of it is that catalog's.
    other = tmp_path / "other.po"
    other.write_text(text.replace('msgctxt "es:', 'msgctxt "de:'), encoding="utf-8")
    capsys.readouterr()
    assert pipeline.main(["--project", str(project), "back-translation", "report", "es", str(other)]) == 1
    assert "none of its texts is from the es catalog" in capsys.readouterr().err

    hidden = tmp_path / "hidden.po"
    hidden.write_text(text.replace('msgstr "Rinse and dry them."', 'msgstr "Rinse \u202eand dry\u202c them."'),
                      encoding="utf-8")
    line = next(number for number, row in enumerate(hidden.read_text(encoding="utf-8").splitlines(), 1)
                if 'msgid "Aclárelas y séquelas."' in row)  # the message's line, as for a catalog
    assert pipeline.main(["--project", str(project), "back-translation", "report", "es", str(hidden)]) == 1
    assert (f"{hidden}:{line}: the back-translation has the invisible character U+202E"
            in capsys.readouterr().err)
    assert not (project / "proofs/hand-washing.es.back-translation.pdf").exists()
