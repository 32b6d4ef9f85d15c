"""The content stage: leaflets/*.md (and their figures) -> Leaflet, checked, with its messages.

    content.py        a leaflet's Markdown -> Leaflet (front matter, sections, paragraphs, lists);
                      the Babel extractor `pipeline.py extract` uses
    elements.py       what a leaflet holds besides text: boxes, steps, tables, figures; reading order
    elementreader.py  the Markdown of those elements -> their objects, checked
    figures.py        a figure's SVG -> a checked drawing and its translatable labels
    readability.py    the English leaflets -> how easy they are to read (`pipeline.py readability`)
"""
