"""The planning stage: leaflets + catalogs -> what to build, each document keyed by its inputs.
Renders nothing, so tests run it without WeasyPrint.

    plan.py         leaflets x languages x variants -> Planned documents, and those held back (a broken
                    catalog's, an unreadable or overdue leaflet's); withdrawn and overdue leaflets
    incremental.py  a document's inputs -> its key; the render cache that keeps PDFs by key
"""
