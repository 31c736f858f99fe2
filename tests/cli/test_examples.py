"""The C++ and KafkaJS examples run against the broker and print their facts."""

import os
import re
import shutil
import subprocess

import pytest


def run(cmd, bootstrap, cwd=None, timeout=120, extra_env=None):
    env = dict(os.environ, SAMSA_BOOTSTRAP_SERVERS=bootstrap, KAFKAJS_NO_PARTITIONER_WARNING="1")
    env.update(extra_env or {})
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    assert p.returncode == 0, f"{cmd} exited {p.returncode}\n{p.stdout}\n{p.stderr}"
    return p.stdout


def example(name):
    d = os.environ.get("SAMSA_EXAMPLES_DIR")
    if not d:
        pytest.skip("SAMSA_EXAMPLES_DIR is not set")
    return os.path.join(d, f"example_{name}")


def check_flow(admin_out, producer_out, consumer_out, topic, count):
    assert re.search(rf"(created topic|topic) {topic}", admin_out), admin_out
    assert "3 partitions" in admin_out, admin_out
    landed = re.findall(r"key (\w+) -> partition (\d+) offset (\d+)", producer_out)
    assert len(landed) == count, producer_out
    where = {}
    for key, partition, _ in landed:
        assert where.setdefault(key, partition) == partition, producer_out
    assert "assigned:" in consumer_out, consumer_out
    got = re.findall(r"partition (\d+) offset (\d+) key (\w+)", consumer_out)
    assert sorted(got) == sorted((p, o, k) for k, p, o in landed), consumer_out
    assert f"processed {count} messages" in consumer_out


def test_cpp_examples(bootstrap, name):
    topic = name("example-cpp")
    admin_out = run([example("admin"), topic, "3"], bootstrap)
    producer_out = run([example("producer"), topic, "12"], bootstrap)
    consumer_out = run([example("consumer"), topic, name("example-group"), "12"], bootstrap)
    check_flow(admin_out, producer_out, consumer_out, topic, 12)


def test_kafkajs_examples(bootstrap, name):
    modules = os.environ.get("KAFKAJS_DIR")
    source = os.environ.get("SAMSA_SOURCE_DIR")
    if not shutil.which("node") or not modules or not os.path.isdir(os.path.join(modules, "kafkajs")) or not source:
        pytest.skip("node, KAFKAJS_DIR (node_modules with kafkajs) or SAMSA_SOURCE_DIR missing")
    scripts = os.path.join(source, "examples", "nodejs")
    topic = name("example-js")
    env = {"NODE_PATH": modules, "SAMSA_TOPIC": topic}
    admin_out = run(["node", "admin.js"], bootstrap, cwd=scripts, extra_env=env)
    producer_out = run(["node", "producer.js", "12"], bootstrap, cwd=scripts, extra_env=env)
    consumer_out = run(["node", "consumer.js", name("example-js-group"), "12"], bootstrap, cwd=scripts,
                       extra_env=env, timeout=180)
    check_flow(admin_out, producer_out, consumer_out, topic, 12)
