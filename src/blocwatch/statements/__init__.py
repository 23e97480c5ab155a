"""Joint statements and letters: the curated dataset, analytics, diffs, briefs and exports.

The plain Python API::

    from blocwatch.store import connect
    from blocwatch.statements import load, analytics, brief
    ds = load.dataset(connect())             # every event in the store
    analytics.event_summary(ds, "2022-10-31-ga77-3c-critical")
    analytics.diff(ds, "2021-10-21-ga76", "2022-10-31-ga77-3c-c")
    brief.render(ds, "2023-10-18", "md")

Every analytics function also accepts an engine in place of the dataset.
"""
