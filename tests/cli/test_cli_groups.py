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
    # Every partition of the topic is listed; one never committed counts its lag from the log start.
    assert sorted(p["partition"] for p in desc["partitions"]) == [0, 1, 2], desc
    for p in desc["partitions"]:
        base = p["committed"] if p["committed"] >= 0 else p["log_start"]
        assert p["lag"] == p["log_end"] - base, desc
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


def test_lag_counts_never_committed_partitions_from_log_start(cli, name):
    topic = name("cli-lag")
    group = name("cli-lag-grp")
    cli.run("topic", "create", topic, "-p", "2")
    cli.run("produce", topic, "-q", "-p", "0", input="a\nb\nc\n")
    cli.run("consume", topic, "-g", group, "-e", "-q")  # commits partition 0 only: partition 1 was empty
    cli.run("produce", topic, "-q", "-p", "1", input="w\nx\ny\nz\n")
    desc = json.loads(cli.run("group", "describe", group, "-o", "json").stdout)
    rows = {p["partition"]: p for p in desc["partitions"]}
    assert rows[0]["lag"] == 0 and rows[0]["lag_from"] == "committed", desc
    assert rows[1]["committed"] == -1 and rows[1]["lag"] == 4 and rows[1]["lag_from"] == "log-start", desc
    assert desc["total_lag"] == 4
    table = cli.run("group", "describe", group).stdout
    assert "total lag: 4" in table and "log-start" in table and "LAG-FROM" in table


def test_describe_survives_a_deleted_topic(cli, name):
    kept = name("cli-kept")
    gone = name("cli-gone")
    group = name("cli-del-grp")
    for t in (kept, gone):
        cli.run("topic", "create", t, "-p", "1")
        cli.run("produce", t, "-q", input="1\n2\n")
        cli.run("consume", t, "-g", group, "-e", "-q")
    cli.run("topic", "delete", gone)
    p = cli.run("group", "describe", group, "-o", "json")
    desc = json.loads(p.stdout)
    by_topic = {r["topic"]: r for r in desc["partitions"]}
    assert by_topic[kept]["lag"] == 0 and not by_topic[kept]["topic_deleted"], desc
    assert by_topic[gone]["topic_deleted"] and by_topic[gone]["committed"] == 2, desc
    assert "topic-deleted" in cli.run("group", "describe", group).stdout


def test_from_with_group_needs_reset_and_start_is_printed(cli, name):
    topic, group = _setup(cli, name, messages=6)
    p = cli.run("consume", topic, "-g", group, "-e")
    assert re.search(r"% starting .*at the log start \(nothing committed yet\)", p.stderr), p.stderr
    assert re.search(rf"% group {group}: committed .*{re.escape(topic)}\[\d\] at \d", p.stderr), p.stderr
    again = cli.run("consume", topic, "-g", group, "-e")
    assert again.stdout == "" and "(committed)" in again.stderr, again.stderr
    refused = cli.run("consume", topic, "-g", group, "--from", "beginning", "-e", check=False)
    assert refused.returncode == 2 and "--reset" in refused.stderr and "already committed" in refused.stderr
    reread = cli.run("consume", topic, "-g", group, "--from", "beginning", "--reset", "-e")
    assert len(reread.stdout.split()) == 6 and "(--from beginning)" in reread.stderr, reread.stderr


def test_ctrl_c_confirms_the_commit(cli, name):
    import signal
    import subprocess
    import time
    from conftest import samsa_bin
    topic, group = _setup(cli, name, messages=3)
    proc = subprocess.Popen([samsa_bin(), "consume", topic, "-g", group, "--bootstrap", cli.bootstrap],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    deadline = time.monotonic() + 30
    while len(seen) < 3 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line:
            seen.append(line)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert re.search(rf"% group {group}: committed {re.escape(topic)}\[\d\] at \d", err), err
