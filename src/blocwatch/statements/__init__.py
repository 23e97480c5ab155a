"""Joint statements and letters: the curated dataset, analytics, diffs, briefs, exports and additions.

Use them through the front door (``bw = blocwatch.open()``; ``bw.events``).
The modules here are the domain layer it calls: :mod:`.dataset` (the event
model and curated-file validation), :mod:`.load` (store and read events),
:mod:`.analytics`, :mod:`.alignment` (GA voting of the signers), :mod:`.brief`,
:mod:`.export`, :mod:`.add` and :mod:`.publishers`. Every analytics function
takes a :class:`~blocwatch.statements.dataset.Dataset` or an engine.
"""
