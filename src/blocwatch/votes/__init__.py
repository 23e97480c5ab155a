"""Recorded votes of both forums (General Assembly, Human Rights Council): one model.

A *roll call* is one recorded vote on one text (:class:`record.RollCall`);
a *position* is one state's vote on it. The General Assembly engine
(:mod:`blocwatch.ga`) and the Council importers (:mod:`blocwatch.hrc`) both
produce :class:`record.RollCall` values; :mod:`blocwatch.votes.write` stores
them, :mod:`blocwatch.votes.read` answers ``votes show`` and ``votes search``,
:mod:`blocwatch.votes.text` reads a vote record from text.
"""
