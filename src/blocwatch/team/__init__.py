"""Team mode: accounts and roles (:mod:`.users`), sign-in sessions (:mod:`.logins`), the audit log of every
change (:mod:`.audit`) and private campaigns (:mod:`.campaigns`).

Domain code on SQLAlchemy Core, the same on SQLite and PostgreSQL; every
function takes a connection inside the caller's transaction, so a change and
its audit-log entry are written together or not at all.
"""
