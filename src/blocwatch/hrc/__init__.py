"""The UN Human Rights Council, 2006-2024: membership terms and every recorded vote, classified.

Modules: :mod:`~blocwatch.hrc.membership` (terms), :mod:`~blocwatch.hrc.ohchr`
(the OHCHR voting records), :mod:`~blocwatch.hrc.checked` (checked votes and
the merge), :mod:`~blocwatch.hrc.classify`, :mod:`~blocwatch.hrc.read`
(:func:`read_hrc`) and :mod:`~blocwatch.hrc.curate` (the shipped bundle).
"""

from blocwatch.hrc.curate import build, bundled
from blocwatch.hrc.membership import Term, bundled_terms, members_in, members_on, read_terms
from blocwatch.hrc.read import HrcRead, read_hrc

__all__ = ["HrcRead", "Term", "build", "bundled", "bundled_terms", "members_in", "members_on", "read_hrc",
           "read_terms"]
