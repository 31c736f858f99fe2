"""samsa produce/consume edge cases and parity with kcat: start positions, --until, keys,
delimiters, tombstones, headers, CRLF, non-UTF-8 data, format modifiers, yaml."""

import base64
import json
import shutil
import subprocess
import time

import pytest
import yaml


def _records(cli, topic, *extra):
    out = cli.run("consume", topic, "-e", "-q", "-o", "json", *extra).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_from_past_the_end_and_bad_counts(cli, name):
    topic = name("cli-past")
    cli.run("topic", "create", topic, "-p", "1")
    cli.run("produce", topic, "-q", input="".join(f"m{i}\n" for i in range(5)))
    p = cli.run("consume", topic, "--from", "999", "-e")
    assert p.stdout == "" and "past the end" in p.stderr and "offset 5" in p.stderr, p
    for bad in ("-1", "0"):
        p = cli.run("consume", topic, "-n", bad, "-e", check=False)
        assert p.returncode == 2, (bad, p)


def test_start_positions_relative_and_per_partition(cli, name):
    topic = name("cli-start")
    cli.run("topic", "create", topic, "-p", "2")
    cli.run("produce", topic, "-q", "-p", "0", input="".join(f"a{i}\n" for i in range(10)))
    cli.run("produce", topic, "-q", "-p", "1", input="".join(f"b{i}\n" for i in range(10)))
    assert cli.run("consume", topic, "-p", "0", "--from", "-2", "-e").stdout.split() == ["a8", "a9"]
    assert cli.run("consume", topic, "-p", "0", "--from", "+7", "-e").stdout.split() == ["a7", "a8", "a9"]
    out = cli.run("consume", topic, "--from", "0=8,1=-1", "-e", "-f", "{partition}:{value}\\n").stdout.split()
    assert sorted(out) == ["0:a8", "0:a9", "1:b9"]
    # Human times: everything is newer than an hour ago, nothing is newer than the future.
    assert len(cli.run("consume", topic, "--from", "@-1h", "-e").stdout.split()) == 20
    assert cli.run("consume", topic, "--from", "@2999-01-01T00:00", "-e", "-q").stdout == ""
    assert len(cli.run("consume", topic, "--from", "@2000-01-01", "-e").stdout.split()) == 20
    # --until (kcat e@): stop at the first record at or after the time.
    time.sleep(0.05)
    cut = int(time.time() * 1000)
    time.sleep(0.05)
    cli.run("produce", topic, "-q", "-p", "0", input="late\n")
    out = cli.run("consume", topic, "-p", "0", "--until", f"@{cut}", "-e").stdout.split()
    assert out == [f"a{i}" for i in range(10)]
    assert cli.run("consume", topic, "-p", "0", "--until", f"e@{cut}").stdout.split()[-1] == "a9"  # exits by itself
    bad = cli.run("consume", topic, "--from", "@yesterday", check=False)
    assert bad.returncode == 2 and "@-1h" in bad.stderr


def test_produce_keys_delimiters_tombstones_and_crlf(cli, name, tmp_path):
    topic = name("cli-keys")
    cli.run("topic", "create", topic, "-p", "1")
    p = cli.run("produce", topic, "-K", ":", "-q", input="a:1\r\nnokey\r\nb:2\n")
    assert "record 2 has no key separator" in p.stderr, p.stderr
    cli.run("produce", topic, "-k", "fixed", "-D", ";", "-q", input="x;y;")
    cli.run("produce", topic, "-Z", "-k", "gone", "-q", input="\n")
    f = tmp_path / "doc.txt"
    f.write_bytes(b"line one\nline two\n")
    cli.run("produce", topic, "--file", str(f), "--whole", "-q")
    got = [(r["key"], r["value"]) for r in _records(cli, topic)]
    assert got == [("a", "1"), (None, "nokey"), ("b", "2"), ("fixed", "x"), ("fixed", "y"), ("gone", None),
                   (None, "line one\nline two\n")], got


def test_repeated_headers_and_non_utf8_json(cli, name):
    topic = name("cli-bytes")
    cli.run("topic", "create", topic, "-p", "1")
    cli.run("produce", topic, "-H", "a=1", "-H", "a=2", "-q", input="hello\n")
    raw = b"\xff\xfe caf\xc3\xa9\n"
    from conftest import samsa_bin
    subprocess.run([samsa_bin(), "produce", topic, "-q", "--bootstrap", cli.bootstrap], input=raw, check=True,
                   capture_output=True, timeout=60)
    recs = _records(cli, topic)
    assert recs[0]["headers"] == [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]
    assert cli.run("consume", topic, "-n", "1", "-f", "{headers}\\n").stdout == "a=1,a=2\n"
    assert recs[1]["value_encoding"] == "base64"
    assert base64.b64decode(recs[1]["value"]) == raw[:-1]  # every byte kept
    assert "value_encoding" not in recs[0]
    # The same in YAML: a stream of documents.
    docs = list(yaml.safe_load_all(cli.run("consume", topic, "-e", "-q", "-o", "yaml").stdout))
    assert docs[0]["value"] == "hello" and docs[1]["value_encoding"] == "base64"


def test_format_modifiers_and_lengths(cli, name):
    topic = name("cli-fmt")
    cli.run("topic", "create", topic, "-p", "1")
    cli.run("produce", topic, "-k", "id", "-q", input="ab\n")
    out = cli.run("consume", topic, "-e", "-q", "-f",
                  "{{{key_length}:{value_length}}} {key:hex} {value:base64} {timestamp:iso}\\n").stdout
    assert out.startswith("{2:2} 6964 YWI= 20"), out
    assert out.rstrip().endswith("Z")


def test_auto_create_warning_and_message_texts(cli, name):
    real = name("cli-orders")
    cli.run("topic", "create", real, "-p", "1")
    typo = real[:-1] + ("x" if real[-1] != "x" else "y")
    p = cli.run("produce", typo, "-q", input="x\n", check=False)
    assert f"topic {typo} does not exist" in p.stderr and f"did you mean {real}" in p.stderr, p.stderr
    p = cli.run("consume", name("nosuch"), "-e", check=False)
    assert p.returncode == 4 and "error: consume " in p.stderr and "describe topic" not in p.stderr, p.stderr
    p = cli.run("produce", real, "-H", "noeq", input="x\n", check=False)
    assert p.returncode == 2 and "--header source=web" in p.stderr and "retention" not in p.stderr, p.stderr


@pytest.mark.skipif(not shutil.which("kcat"), reason="kcat is not installed")
def test_round_trips_with_kcat(cli, name):
    topic = name("cli-kcat")
    cli.run("topic", "create", topic, "-p", "3")
    # samsa writes, kcat reads: keys land where kcat sees them, headers repeat.
    out = cli.run("produce", topic, "-K", ":", "-H", "h=1", "-H", "h=2", input="k1:v1\nk2:v2\nk3:v3\n").stdout
    kc = subprocess.run(["kcat", "-b", cli.bootstrap, "-C", "-t", topic, "-e", "-q", "-f", "%k=%s@%p %h\\n"],
                        capture_output=True, text=True, timeout=60)
    assert kc.returncode == 0, kc
    for line in kc.stdout.splitlines():
        key, rest = line.split("=", 1)
        partition = rest.split("@")[1].split()[0]
        assert f"key {key} -> partition {partition}" in out
        assert line.endswith("h=1,h=2")
    # kcat writes (with a tombstone), samsa reads it with the same start positions.
    other = name("cli-kcat2")
    cli.run("topic", "create", other, "-p", "1")
    subprocess.run(["kcat", "-b", cli.bootstrap, "-P", "-t", other, "-K", ":", "-Z"], input="a:1\nb:\nc:3\n",
                   text=True, check=True, timeout=60)
    recs = _records(cli, other)
    assert [(r["key"], r["value"]) for r in recs] == [("a", "1"), ("b", None), ("c", "3")]
    assert cli.run("consume", other, "--from", "-1", "-e").stdout == "3\n"
    kc = subprocess.run(["kcat", "-b", cli.bootstrap, "-C", "-t", other, "-o", "-1", "-e", "-q"],
                        capture_output=True, text=True, timeout=60)
    assert kc.stdout == "3\n"


def test_several_topics_and_regex(cli, name):
    prefix = name("cli-rx")
    a, b, other = f"{prefix}-a", f"{prefix}-b", name("cli-rx-other")
    for t in (a, b, other):
        cli.run("topic", "create", t)
        cli.run("produce", t, "-q", input=f"{t}\n")
    got = cli.run("consume", f"^{prefix}-", "-e", "-q", "-f", "{topic}\\n").stdout.split()
    assert sorted(got) == [a, b], got
    got = cli.run("consume", a, other, "-e", "-q", "-f", "{topic}\\n").stdout.split()
    assert sorted(got) == sorted([a, other]), got
    group = name("cli-rx-grp")
    p = cli.run("consume", f"^{prefix}-", "-g", group, "-e", "-f", "{topic}\\n")
    assert sorted(p.stdout.split()) == [a, b] and f"{a}[0]" in p.stderr and f"{b}[0]" in p.stderr, p
    p = cli.run("consume", "^no-such-prefix-", "-e", check=False)
    assert p.returncode == 4 and "no topic matches" in p.stderr
    docs = json.loads(cli.run("topic", "describe", f"^{prefix}-", "-o", "json").stdout)
    assert [d["name"] for d in docs] == [a, b]
    docs = json.loads(cli.run("topic", "describe", a, other, "-o", "json").stdout)
    assert [d["name"] for d in docs] == [a, other]
    assert json.loads(cli.run("topic", "describe", a, "-o", "json").stdout)["name"] == a  # one name: one object
    table = cli.run("topic", "describe", a, b).stdout
    assert f"topic {a}" in table and f"topic {b}" in table


def test_json_input_copies_a_topic_with_headers_and_bytes(cli, name):
    from conftest import samsa_bin
    src, dst = name("cli-copy-src"), name("cli-copy-dst")
    for t in (src, dst):
        cli.run("topic", "create", t, "-p", "2")
    subprocess.run([samsa_bin(), "produce", src, "-q", "-K", ":", "-H", "h=1", "-H", "h=2", "-p", "1",
                    "--bootstrap", cli.bootstrap], input=b"k1:\xff\xfe\nk2:plain\n", check=True, timeout=60)
    cli.run("produce", src, "-q", "-Z", "-k", "dead", "-p", "0", input="\n")
    dump = cli.run("consume", src, "-e", "-q", "-o", "json").stdout
    cli.run("produce", dst, "--input", "json", "-q", input=dump)
    strip = lambda recs: sorted((r["partition"], r["key"], r["value"], r.get("value_encoding"),
                                 json.dumps(r["headers"])) for r in recs)
    assert strip(_records(cli, dst)) == strip(_records(cli, src))
    p = cli.run("produce", dst, "--input", "json", input="not json\n", check=False)
    assert p.returncode == 2 and "record 1 is not JSON" in p.stderr


@pytest.mark.skipif(not shutil.which("kcat"), reason="kcat is not installed")
def test_start_positions_and_formats_match_kcat(cli, name):
    topic = name("cli-kcat-pos")
    cli.run("topic", "create", topic, "-p", "1")
    cli.run("produce", topic, "-q", "-K", ":", input="".join(f"k{i}:v{i}\n" for i in range(6)))
    time.sleep(0.05)
    cut = int(time.time() * 1000)
    time.sleep(0.05)
    cli.run("produce", topic, "-q", "-K", ":", input="".join(f"k{i}:v{i}\n" for i in range(6, 9)))

    def kcat(*args):
        p = subprocess.run(["kcat", "-b", cli.bootstrap, "-C", "-t", topic, "-p", "0", "-q", *args],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p
        return p.stdout

    fields = ("{key}|{value}|{partition}|{offset}|{timestamp}|{key_length}|{value_length}\\n", "%k|%s|%p|%o|%T|%K|%S\\n")
    pairs = [(["--from", "4"], ["-o", "4"]), (["--from", "-2"], ["-o", "-2"]), (["--from", "beginning"], []),
             (["--from", f"@{cut}"], ["-o", f"s@{cut}"]), (["--until", f"@{cut}"], ["-o", "beginning", "-o", f"e@{cut}"])]
    for ours, theirs in pairs:
        mine = cli.run("consume", topic, "-p", "0", "-e", "-q", "-f", fields[0], *ours).stdout
        assert mine == kcat("-e", "-f", fields[1], *theirs), (ours, theirs)
    assert len(cli.run("consume", topic, "-e", "-q", "--from", f"@{cut}").stdout.split()) == 3
