"""samsa user create / list / delete: SCRAM users kept by the broker
(AlterUserScramCredentials / DescribeUserScramCredentials). The password is
hashed by the CLI; the broker gets the salted password only."""

import json


def _listed(cli, *users):
    return json.loads(cli.run("user", "list", *users, "-o", "json").stdout)


def test_user_create_list_update_and_delete(cli, name):
    alice, bob = name("alice"), name("bob")
    out = cli.run("user", "create", alice, "--password-stdin", input="alice-secret\n")
    assert "SCRAM-SHA-256, SCRAM-SHA-512" in out.stdout
    cli.run("user", "create", bob, "--password", "bob-secret", "--mechanism", "SCRAM-SHA-512", "--iterations", "8192")

    mine = [u for u in _listed(cli) if u["user"] in (alice, bob)]
    assert mine == [
        {"user": alice, "mechanism": "SCRAM-SHA-256", "iterations": 4096},
        {"user": alice, "mechanism": "SCRAM-SHA-512", "iterations": 4096},
        {"user": bob, "mechanism": "SCRAM-SHA-512", "iterations": 8192},
    ], mine
    table = cli.run("user", "list", alice).stdout
    assert "USER" in table and "SCRAM-SHA-512" in table and alice in table
    assert "secret" not in table

    # A new password for one mechanism replaces that credential.
    cli.run("user", "create", alice, "--password", "new", "--mechanism", "SCRAM-SHA-256", "--iterations", "16384")
    assert {(u["mechanism"], u["iterations"]) for u in _listed(cli, alice)} == {
        ("SCRAM-SHA-256", 16384), ("SCRAM-SHA-512", 4096)}

    cli.run("user", "delete", alice, "--mechanism", "SCRAM-SHA-256")
    assert [u["mechanism"] for u in _listed(cli, alice)] == ["SCRAM-SHA-512"]
    cli.run("user", "delete", alice)
    gone = cli.run("user", "list", alice, check=False)
    assert gone.returncode == 4 and "RESOURCE_NOT_FOUND" in gone.stderr, gone
    again = cli.run("user", "delete", alice, check=False)
    assert again.returncode == 4, again
    assert [u["user"] for u in _listed(cli, bob)] == [bob]


def test_user_create_refuses_bad_input(cli, name):
    user = name("carol")
    few = cli.run("user", "create", user, "--password", "x", "--iterations", "4095", check=False)
    assert few.returncode == 2, few
    nopw = cli.run("user", "create", user, check=False)
    assert nopw.returncode == 2 and "password" in nopw.stderr, nopw
    empty = cli.run("user", "create", user, "--password-stdin", input="\n", check=False)
    assert empty.returncode == 2 and "empty" in empty.stderr, empty
    mech = cli.run("user", "create", user, "--password", "x", "--mechanism", "SCRAM-SHA-1", check=False)
    assert mech.returncode == 2, mech
    missing = cli.run("user", "delete", user, "--mechanism", "SCRAM-SHA-256", check=False)
    assert missing.returncode == 4 and "RESOURCE_NOT_FOUND" in missing.stderr, missing
    assert user not in [u["user"] for u in _listed(cli)]
