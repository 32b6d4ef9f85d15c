"""The publishing stage: a Release (what one build made) -> output/, manifest.json and archive/,
every file replaced atomically; what failed keeps its last good version, marked outdated.

    publish.py  Release -> files in output/ and the manifest, through a journal a crash can finish
    archive.py  the PDFs a release supersedes -> output/archive/<version>/
"""
