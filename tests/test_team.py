"""Team mode's accounts, sign-in sessions and audit log (issue 12), on a real database file."""

from __future__ import annotations

import datetime as dt

import pytest

from blocwatch.errors import Conflict, Forbidden, InvalidInput, NotFound, NotSignedIn, TooManyAttempts

PASSWORD = "correct horse battery"


@pytest.fixture
def bw(db_url):
    import blocwatch

    handle = blocwatch.open(db_url)
    yield handle
    handle.close()


def test_an_account_signs_in_with_its_password_only(bw):
    alice = bw.users.add("alice", PASSWORD, "editor")
    assert alice.role == "editor" and alice.can("viewer") and alice.can("editor") and not alice.can("admin")
    user, token, csrf = bw.users.sign_in("alice", PASSWORD, address="127.0.0.1")
    assert user.username == "alice" and token and csrf and token != csrf
    with pytest.raises(NotSignedIn, match="wrong account name or password"):
        bw.users.sign_in("alice", "not the password")
    with pytest.raises(NotSignedIn, match="wrong account name or password"):  # the same words for a missing name
        bw.users.sign_in("mallory", PASSWORD)


def test_the_stored_hash_is_argon2_and_no_token_is_stored_in_clear(bw):
    from sqlalchemy import text

    bw.users.add("alice", PASSWORD, "viewer")
    _, token, csrf = bw.users.sign_in("alice", PASSWORD)
    with bw.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalar_one()
        session = conn.execute(text("SELECT token_hash, csrf_hash FROM login_sessions")).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert token not in session and csrf not in session


def test_a_session_knows_its_account_and_its_csrf_token(bw):
    from blocwatch.team.logins import check_csrf

    bw.users.add("alice", PASSWORD, "viewer")
    _, token, csrf = bw.users.sign_in("alice", PASSWORD)
    found = bw.users.session(token)
    assert found is not None and found[0].username == "alice"
    assert check_csrf(found[1], csrf) and not check_csrf(found[1], token) and not check_csrf(found[1], None)
    assert bw.users.session("forged") is None and bw.users.session(None) is None
    bw.users.sign_out(token)
    assert bw.users.session(token) is None


def test_removing_an_account_ends_its_sessions_and_its_sign_ins(bw):
    bw.users.add("alice", PASSWORD, "viewer")
    _, token, _ = bw.users.sign_in("alice", PASSWORD)
    bw.users.remove("alice")
    assert bw.users.session(token) is None
    with pytest.raises(NotSignedIn):
        bw.users.sign_in("alice", PASSWORD)


def test_too_many_failures_lock_the_name_even_for_the_right_password(bw):
    from blocwatch.team.users import MAX_FAILURES

    bw.users.add("alice", PASSWORD, "viewer")
    for _ in range(MAX_FAILURES):
        with pytest.raises(NotSignedIn):
            bw.users.sign_in("alice", "wrong wrong wrong")
    with pytest.raises(TooManyAttempts):
        bw.users.sign_in("alice", PASSWORD)


def test_failures_from_one_address_lock_that_address(bw):
    from blocwatch.team.users import MAX_FAILURES

    bw.users.add("alice", PASSWORD, "viewer")
    for i in range(MAX_FAILURES):
        with pytest.raises(NotSignedIn):
            bw.users.sign_in(f"guess{i}", "wrong wrong wrong", address="10.0.0.9")
    with pytest.raises(TooManyAttempts):
        bw.users.sign_in("alice", PASSWORD, address="10.0.0.9")
    assert bw.users.sign_in("alice", PASSWORD, address="10.0.0.8")[0].username == "alice"


def test_an_expired_session_is_nobody(bw, monkeypatch):
    from blocwatch.team import logins

    bw.users.add("alice", PASSWORD, "viewer")
    _, token, _ = bw.users.sign_in("alice", PASSWORD)
    later = logins.now() + logins.LIFETIME + dt.timedelta(seconds=1)
    monkeypatch.setattr(logins, "now", lambda: later)
    assert bw.users.session(token) is None


@pytest.mark.parametrize(("name", "password", "role", "error"), [
    ("a", PASSWORD, "viewer", InvalidInput), ("al ice", PASSWORD, "viewer", InvalidInput),
    ("alice", "short", "viewer", InvalidInput), ("alice", PASSWORD, "boss", InvalidInput),
])
def test_bad_accounts_are_refused_and_nothing_is_stored(bw, name, password, role, error):
    with pytest.raises(error):
        bw.users.add(name, password, role)
    assert bw.users.list() == []


def test_a_taken_name_is_a_conflict_and_unknown_names_offer_close_matches(bw):
    bw.users.add("alice", PASSWORD, "viewer")
    with pytest.raises(Conflict):
        bw.users.add("alice", PASSWORD, "admin")
    with pytest.raises(NotFound) as found:
        bw.users.get("alcie")
    assert "alice" in found.value.close_matches


def test_only_an_admin_manages_accounts_and_every_change_is_in_the_audit_log(bw):
    admin = bw.users.add("root", PASSWORD, "admin")
    editor = bw.users.add("ed", PASSWORD, "editor")
    with pytest.raises(Forbidden):
        bw.users.add("eve", PASSWORD, "admin", by=editor)
    bw.users.set_role("ed", "admin", by=admin)
    history = bw.audit.history("user", "ed")
    assert [(h["action"], h["user"]) for h in history] == [("add", None), ("set-role", "root")]
    assert history[-1]["before"] == {"role": "editor"} and history[-1]["after"] == {"role": "admin"}
    assert bw.users.get("ed").role == "admin"


def test_an_event_edit_changes_the_data_version_and_an_account_does_not(bw):
    before = bw.data_version()
    editor = bw.users.add("alice", PASSWORD, "editor")
    assert bw.data_version() == before  # accounts (and campaigns) leave every cached result valid
    event = bw.events.get("ga78-critical").id
    bw.events.edit_signers(event, version=bw.events.version(event), add=["Brazil"], remove=[],
                           source="https://example.org/late", note="a late joiner", by=editor)
    assert bw.data_version() != before


def test_users_cli_reads_the_password_from_stdin_and_refuses_bad_input(cli):
    r = cli("users", "add", "alice", "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    r = cli("users", "list", "--json")
    assert r.exit_code == 0 and '"alice"' in r.output and '"admin"' in r.output
    r = cli("users", "add", "bob", "--password-stdin", input="short\n")
    assert r.exit_code == 2 and "10 to 1024 characters" in r.output
    r = cli("users", "set-role", "alcie", "viewer")
    assert r.exit_code == 2 and "alice" in r.output


def test_migration_0004_goes_down_and_up_again(db_url):
    from alembic import command
    from sqlalchemy import inspect

    import blocwatch
    from blocwatch.store.db import _migrations_config

    with blocwatch.open(db_url) as handle:
        handle.users.add("alice", PASSWORD, "viewer")
        engine = handle.engine
        command.downgrade(_migrations_config(engine), "0003")
        names = set(inspect(engine).get_table_names())
        assert not names & {"users", "audit_log", "campaigns", "login_sessions"}
        assert "version" not in {c["name"] for c in inspect(engine).get_columns("events")}
        command.upgrade(_migrations_config(engine), "0004")
        assert {"users", "audit_log", "campaigns"} <= set(inspect(engine).get_table_names())
