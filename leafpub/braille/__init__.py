"""The braille stage: leaflet + catalog -> BRF and Unicode braille, checked (the table each
language is written with: formats/braille_tables.py).

    translate.py  texts -> Unicode braille and back, with the lou_translate command
    layout.py     braille blocks -> 40-cell, 25-line pages (BRF and its Unicode-braille copy)
    gate.py       every message translated back from the laid-out file and compared with its catalog
    document.py   what the printed leaflet says, in order -> one checked braille document, kept by its inputs
    stage.py      the build's step: every leaflet in every language -> its braille files, or why none
"""
