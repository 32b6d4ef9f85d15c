"""The packs stage: pack bases + clinic details -> merged, checked clinic packs.

    assembly.py    packs.toml's packs -> their bases (leaflets rendered with an empty contact box)
                   and PackJobs; finished jobs -> PackDocuments
    pack_job.py    PackJob -> JobResult in a worker: cover and boxes rendered, stamped, merged, checked
    packs.py       cover, box sheets and bases -> one pack PDF (pypdf), double-sided
    pagination.py  a pack's parts -> the page each starts on (its contents list)
"""
