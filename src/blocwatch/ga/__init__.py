"""UN General Assembly roll calls: storage access, importers, agreement scores.

Public API: :func:`blocwatch.ga.votes.votes_frame`,
:func:`blocwatch.ga.votes.rollcalls_frame`, :func:`blocwatch.ga.agreement.agreement`.
"""
