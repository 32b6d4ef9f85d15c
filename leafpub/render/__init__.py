"""The rendering stage: planned documents -> HTML -> jobs -> checked PDFs from worker processes.

    templating.py the Jinja2 templates + a leaflet, a catalog -> HTML (and the templates' messages)
    documents.py  Planned -> RenderJob; the results -> LeafletDocuments, and the problems of the others
    jobs.py       RenderJob -> JobResult in a worker (each job carries its own `run`)
    pool.py       jobs -> results: local worker processes, or a Dask cluster
"""
