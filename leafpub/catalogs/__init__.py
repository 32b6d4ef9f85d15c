"""The catalogs stage: translations/ -> checked LocaleCatalogs, and the reviews that sign them off.

    catalogs.py   translations/<locale>/LC_MESSAGES/messages.po -> LocaleCatalog (publishable or not,
                  why); extract / update / init / compile; every write checked and atomic
    publishable.py every catalog -> those a build publishes, and the problems of the others
    pofiles.py    a PO file's bytes <-> Babel's Catalog, and what Babel's reader would skip
    checks.py     a translation -> the patient-safety problems in it (numbers, placeholders, markup)
    glossary.py   the TBX glossary -> terms every translation must use
    approvals.py  approval.toml -> who reviewed a catalog, for which messages
    signoff.py    a clinician's sign-off of the English leaflets -> SignOff on each Leaflet
    locks.py      one lock per language, held by each command that changes its catalog
"""
