"""samsa consume --group and samsa group list/describe/reset-offsets/delete."""

import json
import re


def _setup(cli, name, messages=9):
    topic = name("cli-grp-topic")
    group = name("cli-grp")
    cli.run("topic", "create", topic, "-p", "3")
    cli.run("produce", topic, "-K", ":", "-q", input="".join(f"k{i}:v{i}\n" for i in range(messages)))
    return topic, group


def test_group_consume_commits_and_describe_shows_lag(cli, name):
    topic, group = _setup(cli, name)
    out = cli.run("consume", topic, "--group", group, "-n", "6").stdout
    assert len(out.splitlines()) == 6
    listed = json.loads(cli.run("group", "list", "-o", "json").stdout)
    assert group in [g["group"] for g in listed], listed
    desc = json.loads(cli.run("group", "describe", group, "-o", "json").stdout)
    assert desc["members"] == []  # the consumer left
    committed = sum(p["committed"] for p in desc["partitions"] if p["committed"] >= 0)
    assert committed == 6, desc
    assert all(p["log_end"] >= 0 for p in desc["partitions"])
    # With no members, only partitions with a committed offset are listed (as in Kafka's tools).
    for p in desc["partitions"]:
        assert p["lag"] == p["log_end"] - p["committed"], desc
    assert desc["total_lag"] == sum(p["lag"] for p in desc["partitions"] if p["lag"] >= 0)
    table = cli.run("group", "describe", group).stdout
    assert f"total lag: {desc['total_lag']}" in table and "LAG" in table

    # A second run of the same group continues where the first committed.
    rest = cli.run("consume", topic, "--group", group, "-e").stdout.split()
    assert len(rest) == 3 and not set(rest) & set(out.split())
    desc = json.loads(cli.run("group", "describe", group, "-o", "json").stdout)
    assert desc["total_lag"] == 0


def test_reset_offsets_dry_run_then_execute(cli, name):
    topic, group = _setup(cli, name)
    cli.run("consume", topic, "--group", group, "-e", "-q")
    plan = cli.run("group", "reset-offsets", group, "--topic", topic, "--to-earliest").stdout
    assert "dry run" in plan
    assert json.loads(cli.run("group", "describe", group, "-o", "json").stdout)["total_lag"] == 0
    out = json.loads(cli.run("group", "reset-offsets", group, "--topic", topic, "--to-earliest", "--execute",
                             "-o", "json").stdout)
    assert out["executed"] and all(p["new"] == 0 for p in out["partitions"])
    assert json.loads(cli.run("group", "describe", group, "-o", "json").stdout)["total_lag"] == 9
    shifted = json.loads(cli.run("group", "reset-offsets", group, "--topic", topic, "--to-latest", "--execute",
                                 "-o", "json").stdout)
    assert sum(p["new"] for p in shifted["partitions"]) == 9


def test_group_delete_and_unknown_group(cli, name):
    topic, group = _setup(cli, name, messages=3)
    cli.run("consume", topic, "--group", group, "-e", "-q")
    assert f"deleted group {group}" in cli.run("group", "delete", group).stdout
    listed = json.loads(cli.run("group", "list", "-o", "json").stdout)
    assert group not in [g["group"] for g in listed]
    p = cli.run("group", "describe", name("no-group"), check=False)
    assert p.returncode == 4, p
    assert "samsa group list" in p.stderr


def test_describe_shows_live_members(cli, name, tmp_path):
    import subprocess
    import time
    from conftest import samsa_bin
    topic, group = _setup(cli, name)
    # A member that stays in the group while we look at it.
    proc = subprocess.Popen([samsa_bin(), "consume", topic, "--group", group, "-q", "--bootstrap", cli.bootstrap],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        desc = {}
        while time.monotonic() < deadline:
            try:
                desc = json.loads(cli.run("group", "describe", group, "-o", "json").stdout)
            except AssertionError:
                # The consumer has not joined yet, so the group does not exist (exit 4).
                time.sleep(0.5)
                continue
            if desc["members"] and desc["state"] == "Stable" and desc["total_lag"] == 0:
                break
            time.sleep(0.5)
        assert len(desc["members"]) == 1, desc
        owned = sorted(p["partition"] for p in desc["members"][0]["assignment"])
        assert owned == [0, 1, 2]
        assert re.search(r"samsa", desc["members"][0]["client_id"])
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0  # Ctrl-C/TERM exits cleanly after committing
