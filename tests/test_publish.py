"""Publishing: atomic replacement, last good files kept, leftovers cleaned, superseded files archived."""

import json

from leafpub.publish import publish
from leafpub import writing


def test_a_file_is_replaced_whole_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a" / "leaflet.pdf"
    writing.write_atomically(target, b"old")
    writing.write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["leaflet.pdf"]


def test_leftovers_of_a_killed_build_are_removed_but_published_files_are_not(tmp_path):
    (tmp_path / "leaflets").mkdir()
    (tmp_path / "leaflets" / "x.pdf").write_bytes(b"published")
    (tmp_path / "leaflets" / ".x.pdf.abc123.tmp").write_bytes(b"half")
    publish.remove_leftovers(tmp_path)
    assert [p.name for p in (tmp_path / "leaflets").iterdir()] == ["x.pdf"]


def test_a_manifest_entry_pointing_outside_output_is_never_trusted(tmp_path):
    assert not publish.is_published(tmp_path, {"path": "../../etc/passwd"})
    assert not publish.is_published(tmp_path, {"path": "/etc/passwd"})
    assert not publish.is_published(tmp_path, {"path": 3})


def test_files_of_a_removed_leaflet_leave_for_the_archive(tmp_path):
    """A leaflet no longer built: its files leave the current lists and are kept in
    archive/<slug>/<version>/, with the dates they were published and superseded."""
    import hashlib
    from datetime import date

    (tmp_path / "leaflets").mkdir()
    old = tmp_path / "leaflets" / "gone.en.a4.pdf"
    old.write_bytes(b"%PDF")
    digest = hashlib.sha256(b"%PDF").hexdigest()
    (tmp_path / "manifest.json").write_text(json.dumps({"leaflets": [
        {"leaflet": "gone", "locale": "en", "paper": "A4", "variant": "standard", "version": "3.0",
         "path": "leaflets/gone.en.a4.pdf", "sha256": digest, "published": "2026-01-05"}]}))
    manifest = publish.publish(tmp_path, publish.Release((), (), (), (), on=date(2026, 2, 1)))
    assert manifest["leaflets"] == [] and manifest["packs"] == []
    (kept,) = manifest["archive"]
    assert kept["path"] == "archive/gone/3.0/gone.en.a4.pdf" and kept["sha256"] == digest
    assert (kept["published"], kept["superseded"]) == ("2026-01-05", "2026-02-01")
    assert not old.exists() and (tmp_path / kept["path"]).read_bytes() == b"%PDF"


def test_an_entry_that_cannot_be_archived_keeps_its_file(tmp_path):
    """An entry without its version and checksum (hand-edited) names no version to file it
    under: it leaves the manifest, but its file stays, since the archive does not hold it."""
    (tmp_path / "leaflets").mkdir()
    old = tmp_path / "leaflets" / "gone.en.a4.pdf"
    old.write_bytes(b"%PDF")
    (tmp_path / "manifest.json").write_text(json.dumps({"leaflets": [
        {"leaflet": "gone", "locale": "en", "paper": "A4", "path": "leaflets/gone.en.a4.pdf"}]}))
    manifest = publish.publish(tmp_path, publish.Release((), (), (), ()))
    assert manifest == {"leaflets": [], "packs": [], "formats": [], "formats_unavailable": [], "problems": [],
                        "archive": []}
    assert old.read_bytes() == b"%PDF"
