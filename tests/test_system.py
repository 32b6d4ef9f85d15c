"""commands/system.py: what the machine lacks, and a pinned file that is not the pinned version."""

import dataclasses
import hashlib
import os
import shutil

from helpers import make_project
from leafpub.commands.system import check_system
from leafpub.config import load_settings
from leafpub.model import PinnedFile


def test_a_pinned_font_changed_in_place_is_refused_even_after_it_was_found_right(tmp_path):
    project = make_project(tmp_path, broken_locale=False)
    settings = load_settings(project)
    original = settings.fonts[0]
    font = tmp_path / original.path.name
    shutil.copy2(original.path, font)
    settings = dataclasses.replace(settings, fonts=(PinnedFile(font, original.sha256, original.package),),
                                   print_profile=None)
    (project / "output").mkdir(exist_ok=True)  # so that the match is remembered
    assert check_system(settings) == []
    assert check_system(settings) == []  # the remembered match

    info = font.stat()
    data = bytearray(font.read_bytes())
    data[-1] ^= 0xFF  # one byte, the same size, the same modification time
    font.write_bytes(bytes(data))
    os.utime(font, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert hashlib.sha256(font.read_bytes()).hexdigest() != original.sha256
    (problem,) = check_system(settings)
    assert "is not the pinned version (sha256 differs)" in problem and font.name in problem
