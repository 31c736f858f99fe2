"""samsa acl create / list / delete against a broker started with
`samsa serve --authorizer`, and the clear error a broker without an
authorizer gives (issue 14)."""

import json
import os
import shutil
import signal
import subprocess
import tempfile

import pytest

from conftest import Cli, _start_broker


@pytest.fixture(scope="module")
def acl_cli():
    work = tempfile.mkdtemp(prefix="samsa-cli-acl-")
    # The CLI connects over PLAINTEXT as User:ANONYMOUS, which ACLs now
    # bind: it administers ACLs as a super user, as an operator would.
    proc, address = _start_broker(work, extra=["--authorizer", "--set", "super.users=User:ANONYMOUS"])
    try:
        yield Cli(address)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)


def listed(cli, *args):
    return json.loads(cli.run("acl", "list", *args, "-o", "json").stdout)


def test_create_list_delete(acl_cli, name):
    topic, group = name("acl-topic"), name("acl-group")
    out = acl_cli.run("acl", "create", "--allow-principal", "User:alice", "--allow-principal", "User:bob",
                      "--operation", "Read", "--operation", "Describe", "--topic", topic, "-o", "json")
    made = json.loads(out.stdout)
    assert len(made) == 4  # 2 principals x 2 operations
    acl_cli.run("acl", "create", "--deny-principal", "User:mallory", "--deny-host", "10.0.0.9",
                "--operation", "write", "--topic", topic[:8], "--resource-pattern-type", "prefixed")
    acl_cli.run("acl", "create", "--allow-principal", "User:*", "--operation", "All", "--group", group)
    acl_cli.run("acl", "create", "--allow-principal", "User:ops", "--operation", "DescribeConfigs", "--cluster")

    mine = listed(acl_cli, "--topic", topic)
    assert sorted((a["principal"], a["operation"]) for a in mine) == [
        ("User:alice", "DESCRIBE"), ("User:alice", "READ"), ("User:bob", "DESCRIBE"), ("User:bob", "READ")]
    assert all(a["pattern_type"] == "LITERAL" and a["host"] == "*" and a["permission"] == "ALLOW" for a in mine)
    # match: every ACL that applies to the topic, the prefixed DENY included.
    applying = listed(acl_cli, "--topic", topic, "--resource-pattern-type", "match")
    deny = [a for a in applying if a["permission"] == "DENY"]
    assert deny == [{"resource_type": "TOPIC", "resource_name": topic[:8], "pattern_type": "PREFIXED",
                     "principal": "User:mallory", "host": "10.0.0.9", "operation": "WRITE", "permission": "DENY"}]
    assert len(applying) == 5
    assert [a["operation"] for a in listed(acl_cli, "--cluster")] == ["DESCRIBE_CONFIGS"]
    assert [a["principal"] for a in listed(acl_cli, "--principal", "User:*")] == ["User:*"]
    table = acl_cli.run("acl", "list", "--group", group).stdout
    assert "RESOURCE-TYPE" in table and group in table and "ALL" in table

    removed = json.loads(acl_cli.run("acl", "delete", "--topic", topic, "--allow-principal", "User:bob",
                                     "-o", "json").stdout)
    assert sorted(a["operation"] for a in removed) == ["DESCRIBE", "READ"]
    assert sorted(a["principal"] for a in listed(acl_cli, "--topic", topic)) == ["User:alice", "User:alice"]
    acl_cli.run("acl", "delete", "--topic", topic)
    assert listed(acl_cli, "--topic", topic) == []


def test_bad_input_is_refused_with_a_reason(acl_cli, name):
    bad_op = acl_cli.run("acl", "create", "--allow-principal", "User:a", "--operation", "Reed", "--topic", "t",
                         check=False)
    assert bad_op.returncode != 0 and "Reed" in bad_op.stderr
    no_colon = acl_cli.run("acl", "create", "--allow-principal", "alice", "--operation", "Read", "--topic", "t",
                           check=False)
    assert no_colon.returncode != 0 and "User:alice" in no_colon.stderr
    match = acl_cli.run("acl", "create", "--allow-principal", "User:a", "--operation", "Read", "--topic", "t",
                        "--resource-pattern-type", "match", check=False)
    assert match.returncode != 0 and "literal or prefixed" in match.stderr
    bare = acl_cli.run("acl", "delete", check=False)
    assert bare.returncode != 0 and "resource or a principal" in bare.stderr
    assert listed(acl_cli, "--topic", "t") == []


def test_broker_without_authorizer_says_so(cli):
    p = cli.run("acl", "list", check=False)
    assert p.returncode != 0
    assert "SECURITY_DISABLED" in p.stderr and "authorizer" in p.stderr, p.stderr
