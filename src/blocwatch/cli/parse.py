"""``blocwatch parse``: extract a signatory list from a text."""
