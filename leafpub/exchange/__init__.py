"""The exchange with agencies: a catalog <-> an agency's XLIFF 1.2, and blind back-translation.

    xliff.py           a catalog's messages <-> XLIFF units (inline markup as <x/> placeholders)
    exchange.py        `export` and `import`: an XLIFF file -> changes merged into its catalog
    exports.py         what each export sent (translations/exports/<id>.json), for a three-way merge
    backtranslation.py a catalog -> a file for a back-translator; their file -> a report
"""
