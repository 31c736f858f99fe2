"""samsa cluster/topic/offsets commands: output facts, JSON shapes, exit codes."""

import json
import re


def test_cluster_info_table_and_json(cli):
    out = cli.run("cluster", "info").stdout
    assert "BROKER" in out and "HOST" in out
    info = json.loads(cli.run("cluster", "info", "-o", "json").stdout)
    assert len(info["brokers"]) >= 1
    host, port = cli.bootstrap.split(",")[0].rsplit(":", 1)
    assert any(b["port"] == int(port) for b in info["brokers"]), info


def test_topic_lifecycle(cli, name):
    topic = name("cli-topic")
    out = cli.run("topic", "create", topic, "--partitions", "3").stdout
    assert f"created topic {topic} with 3 partitions" in out

    listed = json.loads(cli.run("topic", "list", "-o", "json").stdout)
    mine = [t for t in listed if t["name"] == topic]
    assert mine and mine[0]["partitions"] == 3, listed
    assert topic in cli.run("topic", "list").stdout

    described = json.loads(cli.run("topic", "describe", topic, "-o", "json").stdout)
    assert [p["partition"] for p in described["partitions"]] == [0, 1, 2]
    assert all(p["latest"] == 0 and p["earliest"] == 0 for p in described["partitions"])
    table = cli.run("topic", "describe", topic).stdout
    assert "partitions: 3" in table and "LEADER" in table

    out = cli.run("topic", "add-partitions", topic, "--to", "5").stdout
    assert "now has 5 partitions (was 3)" in out
    described = json.loads(cli.run("topic", "describe", topic, "-o", "json").stdout)
    assert len(described["partitions"]) == 5

    # Creating it again fails with the Kafka error name and a hint; --if-not-exists succeeds.
    again = cli.run("topic", "create", topic, check=False)
    assert again.returncode == 1
    assert "TOPIC_ALREADY_EXISTS" in again.stderr and "samsa topic delete" in again.stderr
    assert cli.run("topic", "create", topic, "--if-not-exists").returncode == 0

    out = cli.run("topic", "delete", topic).stdout
    assert f"deleted topic {topic}" in out
    listed = json.loads(cli.run("topic", "list", "-o", "json").stdout)
    assert topic not in [t["name"] for t in listed]


def test_topic_alter_config(cli, name):
    topic = name("cli-config")
    cli.run("topic", "create", topic, "-p", "1")
    out = cli.run("topic", "alter-config", topic, "--set", "retention.ms=3600000").stdout
    assert "set retention.ms=3600000" in out
    described = json.loads(cli.run("topic", "describe", topic, "-o", "json").stdout)
    assert described["configs"].get("retention.ms") == "3600000", described.get("configs")
    cli.run("topic", "alter-config", topic, "--delete", "retention.ms")
    described = json.loads(cli.run("topic", "describe", topic, "-o", "json").stdout)
    assert described["configs"].get("retention.ms") != "3600000"


def test_unknown_topic_exit_code_and_hint(cli, name):
    p = cli.run("topic", "describe", name("missing"), check=False)
    assert p.returncode == 4, p
    assert "UNKNOWN_TOPIC_OR_PART" in p.stderr and "samsa topic list" in p.stderr


def test_offsets_command(cli, name):
    topic = name("cli-offsets")
    cli.run("topic", "create", topic, "-p", "2")
    cli.run("produce", topic, "--partition", "1", input="a\nb\nc\n")
    rows = json.loads(cli.run("offsets", topic, "-o", "json").stdout)
    assert rows == [{"partition": 0, "earliest": 0, "latest": 0, "messages": 0},
                    {"partition": 1, "earliest": 0, "latest": 3, "messages": 3}]
    assert re.search(r"^1\s+0\s+3\s+3$", cli.run("offsets", topic).stdout, re.M)


def test_unreachable_broker(cli):
    p = cli.run("topic", "list", "--bootstrap", "127.0.0.1:1", "--timeout-ms", "2000", check=False, bootstrap=False)
    assert p.returncode == 3, p
    assert "cannot reach 127.0.0.1:1" in p.stderr and "samsa serve" in p.stderr


def test_bad_configuration_is_a_usage_error(cli):
    p = cli.run("topic", "list", "--bootstrap", "localhost", check=False, bootstrap=False)
    assert p.returncode == 2 and "has no port" in p.stderr
    p = cli.run("topic", "list", "-X", "no.such.setting=1", check=False)
    assert p.returncode == 2 and "no.such.setting" in p.stderr


def test_environment_bootstrap(cli):
    p = cli.run("cluster", "info", "-o", "json", bootstrap=False, env={"SAMSA_BOOTSTRAP_SERVERS": cli.bootstrap})
    assert json.loads(p.stdout)["brokers"]


def test_help_has_examples_and_completion(cli):
    for cmd in (["topic", "create"], ["produce"], ["consume"], ["group", "describe"], ["tour"], ["offsets"]):
        p = cli.run(*cmd, "--help", bootstrap=False)
        assert "Example:" in p.stdout, cmd
    p = cli.run("--help", bootstrap=False)
    assert "Exit codes" in p.stdout
    script = cli.run("completion", "bash", bootstrap=False).stdout
    assert "complete -o default -F _samsa samsa" in script
    assert '"samsa topic") words="' in script and "add-partitions" in script
    usage = cli.run("topic", "frobnicate", check=False, bootstrap=False)
    assert usage.returncode == 2


def test_delete_tries_every_name(cli, name):
    a, missing, b = name("cli-del-a"), name("cli-del-missing"), name("cli-del-b")
    cli.run("topic", "create", a)
    cli.run("topic", "create", b)
    p = cli.run("topic", "delete", a, missing, b, check=False)
    assert p.returncode == 4, p  # the first failure's code
    assert f"deleted topic {a}" in p.stdout and f"deleted topic {b}" in p.stdout, p
    assert missing in p.stderr
    listed = [t["name"] for t in json.loads(cli.run("topic", "list", "-o", "json").stdout)]
    assert a not in listed and b not in listed


def test_delete_internal_topic_says_why(cli, name):
    # Make sure __consumer_offsets exists: a group commits once.
    topic = name("cli-int")
    cli.run("topic", "create", topic)
    cli.run("produce", topic, "-q", input="x\n")
    cli.run("consume", topic, "-g", name("cli-int-grp"), "-e", "-q")
    p = cli.run("topic", "delete", "__consumer_offsets", check=False)
    assert p.returncode != 0, p
    assert "internal topic" in p.stderr and "cannot be deleted" in p.stderr, p.stderr
    assert "__consumer_offsets" in cli.run("topic", "list", "--internal").stdout


def test_a_new_data_dir_is_a_first_start_not_unclean(tmp_path):
    import os
    import signal
    from conftest import _start_broker
    proc, _ = _start_broker(str(tmp_path))
    try:
        log = os.path.join(str(tmp_path), "broker.log")
        deadline = __import__("time").monotonic() + 10
        text = ""
        while "storage opened" not in text and __import__("time").monotonic() < deadline:
            text = open(log).read()
        assert "new data directory" in text, text
        assert "unclean" not in text and "checking every segment" not in text, text
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def test_trim_prefix_dry_run_then_execute(cli, name):
    topic = name("cli-trim")
    cli.run("topic", "create", topic, "-p", "2")
    cli.run("produce", topic, "-q", "-p", "0", input="".join(f"{i}\n" for i in range(10)))
    cli.run("produce", topic, "-q", "-p", "1", input="a\nb\n")
    plan = cli.run("topic", "trim-prefix", topic, "--to", "-3")
    assert "dry run" in plan.stdout
    assert [r["earliest"] for r in json.loads(cli.run("offsets", topic, "-o", "json").stdout)] == [0, 0]
    done = json.loads(cli.run("topic", "trim-prefix", topic, "--to", "-3", "--execute", "-o", "json").stdout)
    assert done["executed"] and [p["new_earliest"] for p in done["partitions"]] == [7, 0], done
    assert cli.run("consume", topic, "-p", "0", "-e").stdout.split() == ["7", "8", "9"]
    cli.run("topic", "trim-prefix", topic, "--to", "end", "-p", "1", "--execute")
    rows = json.loads(cli.run("offsets", topic, "-o", "json").stdout)
    assert rows[1]["earliest"] == 2 and rows[1]["messages"] == 0, rows


def test_cluster_health_and_client_config_file(cli, tmp_path):
    report = json.loads(cli.run("cluster", "health", "-o", "json").stdout)
    assert report["healthy"] is True and report["brokers"] >= 1, report
    assert report["leaderless_partitions"] == [] and report["under_replicated_partitions"] == []
    assert "healthy: yes" in cli.run("cluster", "health").stdout
    # -F FILE (kcat's spelling) carries client settings to any command.
    props = tmp_path / "client.properties"
    props.write_text(f"bootstrap.servers={cli.bootstrap}\nclient.id=from-file\n")
    assert json.loads(cli.run("-F", str(props), "cluster", "health", "-o", "json", bootstrap=False).stdout)["healthy"]
    bad = tmp_path / "bad.properties"
    bad.write_text("no.such.property=1\n")
    p = cli.run("topic", "list", "-F", str(bad), check=False)
    assert p.returncode == 2 and "no.such.property" in p.stderr
