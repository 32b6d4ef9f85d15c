"""What each language has besides its PDFs: its braille table, its voice, and what a leaflet
says about them. Read by every stage that prints, lists or makes an alternative format.

    formats.py         FormatFile and Unavailable, their manifest entries, the statement a leaflet
                       prints about what is online, and the messages a catalog may leave untranslated
    braille_tables.py  a locale -> the liblouis table its braille is written with, or why none
    voices.py          a locale -> the eSpeak NG voice that reads it, or none
"""
