"""The web stage: built PDFs -> web versions and the download site.

    web.py      a leaflet in a language -> its web page (HTML with a QR code back to it)
    site.py     manifest.json + the PDFs -> output/index.html, a page per leaflet, thumbnails, search
    site/       the download site's templates and stylesheet
    preview.py  `pipeline.py serve`: the site on this computer
"""
