"""samsa usage: help, version, did-you-mean, -o validation, global options, completion,
and the broker-down cases (exit 3 at once, never a hang)."""

import json
import os
import shutil
import socket
import subprocess
import time

import yaml

from conftest import samsa_bin


def test_bare_samsa_help_and_version(cli):
    for args in ([], ["help"]):
        p = cli.run(*args, bootstrap=False)
        assert "Usage: samsa" in p.stdout and "topic" in p.stdout and "Exit codes" in p.stdout, (args, p)
        assert "A subcommand is required" not in p.stderr
    p = cli.run("help", "topic", "create", bootstrap=False)
    assert "--partitions" in p.stdout
    p = cli.run("--version", bootstrap=False)
    assert p.stdout.startswith("samsa ") and "librdkafka" in p.stdout
    p = cli.run("topic", check=False, bootstrap=False)
    assert p.returncode == 2 and "needs a command" in p.stderr and "create" in p.stderr


def test_did_you_mean(cli):
    p = cli.run("topic", "lst", check=False, bootstrap=False)
    assert p.returncode == 2
    assert "did you mean `samsa topic list`" in p.stderr, p.stderr
    p = cli.run("-o", "json", "grup", "list", check=False, bootstrap=False)
    assert p.returncode == 2 and "did you mean `samsa group`" in p.stderr, p.stderr
    p = cli.run("topic", "frobnicate", check=False, bootstrap=False)
    assert p.returncode == 2 and "did you mean" not in p.stderr and "commands of `samsa topic`" in p.stderr


def test_output_option_validation_yaml_and_global_position(cli, name):
    topic = name("cli-yaml")
    cli.run("topic", "create", topic, "-p", "2")
    for bad in ("1", "xml"):
        p = cli.run("topic", "list", "-o", bad, check=False)
        assert p.returncode == 2 and "table,json,yaml" in p.stderr, p.stderr
        assert "->" not in p.stderr  # no CLI11 enum mapping text
    doc = yaml.safe_load(cli.run("topic", "describe", topic, "-o", "yaml").stdout)
    assert doc["name"] == topic and [p["partition"] for p in doc["partitions"]] == [0, 1]
    # Global options before the subcommand, -o included.
    listed = json.loads(cli.run("-o", "json", "topic", "list").stdout)
    assert topic in [t["name"] for t in listed]
    p = subprocess.run([samsa_bin(), "--bootstrap", cli.bootstrap, "-o", "yaml", "offsets", topic],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and yaml.safe_load(p.stdout)[1]["partition"] == 1, p


def test_completion_hides_hidden_options(cli):
    script = cli.run("completion", "bash", bootstrap=False).stdout
    assert "--mock" not in script and "--port-file" not in script
    assert "--topic" in script and "--yes" in script


def _refused_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connections are refused
    return f"127.0.0.1:{port}"


def test_broker_down_every_command_exits_3_fast(cli):
    down = _refused_port()
    commands = [
        ["topic", "list"], ["cluster", "info"], ["group", "list"], ["offsets", "t"],
        ["consume", "t", "-e"], ["consume", "t", "-g", "g", "-e"], ["consume", "t", "-g", "g"],
        ["produce", "t"], ["topic", "delete", "a", "b"], ["tour", "--yes"], ["topic", "trim-prefix", "t", "--to", "end"],
        ["cluster", "health"],
    ]
    for cmd in commands:
        start = time.monotonic()
        p = cli.run(*cmd, "--bootstrap", down, "--timeout-ms", "10000", input="x\n", check=False,
                    bootstrap=False, timeout=30)
        took = time.monotonic() - start
        assert p.returncode == 3, (cmd, p)
        assert took < 2.0, (cmd, took)
        assert f"cannot reach {down}" in p.stderr, (cmd, p.stderr)


def test_unresolvable_and_silent_brokers_honour_timeout(cli):
    p = cli.run("topic", "list", "--bootstrap", "no-such-host.invalid:9092", "--timeout-ms", "2000",
                check=False, bootstrap=False, timeout=30)
    assert p.returncode == 3 and "_RESOLVE" in p.stderr, p
    # A listener that never accepts (backlog full is hard to force); a socket that accepts but
    # never answers Kafka requests: the TCP probe passes, librdkafka must still honour --timeout-ms.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    address = f"127.0.0.1:{server.getsockname()[1]}"
    try:
        for cmd in (["topic", "list"], ["consume", "t", "-g", "g", "-e"]):
            start = time.monotonic()
            p = cli.run(*cmd, "--bootstrap", address, "--timeout-ms", "2000", check=False, bootstrap=False,
                        timeout=60)
            took = time.monotonic() - start
            assert p.returncode == 3, (cmd, p)
            assert took < 10, (cmd, took)
    finally:
        server.close()


def _complete(cli, words, tmp_path):
    """Runs the generated bash completion for `words` (the last one being completed)."""
    import os
    script = tmp_path / "samsa.bash"
    script.write_text(cli.run("completion", "bash", bootstrap=False).stdout)
    bindir = os.path.dirname(samsa_bin())
    line = " ".join(f"'{w}'" for w in words)
    prog = (f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _samsa; "
            "printf '%s\\n' \"${COMPREPLY[@]}\"")
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"], SAMSA_BOOTSTRAP_SERVERS=cli.bootstrap)
    p = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 0, p
    return set(p.stdout.split())


def test_completion_values_and_live_names(cli, name, tmp_path):
    topic = name("cli-compl")
    cli.run("topic", "create", topic)
    assert _complete(cli, ["samsa", "topic", "l"], tmp_path) == {"list"}
    assert _complete(cli, ["samsa", "topic", "list", "-o", ""], tmp_path) == {"table", "json", "yaml"}
    assert _complete(cli, ["samsa", "produce", "t", "-z", "z"], tmp_path) == {"zstd"}
    assert topic in _complete(cli, ["samsa", "topic", "describe", "cli-compl"], tmp_path)
    assert topic in _complete(cli, ["samsa", "consume", ""], tmp_path)
    assert "--mock" not in _complete(cli, ["samsa", "tour", "--"], tmp_path)
    assert _complete(cli, ["samsa", "completion", ""], tmp_path) == {"bash", "zsh", "fish"}
    fish = cli.run("completion", "fish", bootstrap=False).stdout
    assert "complete -c samsa -l output -x -a 'table json yaml'" in fish
    assert "__complete topics" in fish and "--mock" not in fish
    zsh = cli.run("completion", "zsh", bootstrap=False).stdout
    assert "bashcompinit" in zsh and "complete -o default -F _samsa samsa" in zsh


def test_sink_postgres_runs_in_its_own_program_and_says_when_it_is_missing(tmp_path):
    # samsa does not link libpq: `samsa sink postgres` execs samsa-sink-postgres
    # from samsa's folder. Its help still comes from samsa; a samsa copied
    # without it says what is missing instead of failing obscurely.
    binary = os.path.realpath(samsa_bin())
    libs = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    assert "libpq" not in libs
    helper = os.path.join(os.path.dirname(binary), "samsa-sink-postgres")
    assert "libpq" in subprocess.run(["ldd", helper], capture_output=True, text=True, check=True).stdout
    help_text = subprocess.run([binary, "sink", "postgres", "--help"], capture_output=True, text=True, timeout=30)
    assert help_text.returncode == 0 and "--upsert-key" in help_text.stdout
    # The helper gets the whole command line: a usage error there is samsa's exit code 2.
    bad = subprocess.run([binary, "sink", "postgres", "-t", "x", "--table", "t", "-c", "not a = connection = string"],
                         capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2, bad.stderr
    assert "connection" in bad.stderr
    alone = tmp_path / "samsa"
    shutil.copy(binary, alone)
    missing = subprocess.run([str(alone), "sink", "postgres", "-t", "x", "--table", "t", "-c", "dbname=x"],
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode == 1
    assert "samsa-sink-postgres" in missing.stderr and "missing" in missing.stderr
