"""samsa group watch: a first view of the group, then one line per change (plain text when
stdout is not a terminal) — members joining and leaving, partitions moving, lag."""

import os
import pty
import subprocess
import threading
import time

from confluent_kafka import Consumer


class _Member:
    """A group member polling on its own thread until closed."""

    def __init__(self, bootstrap, group, topic, client_id):
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "client.id": client_id,
                                  "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                                  "heartbeat.interval.ms": 500})
        self.consumer.subscribe([topic])
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._poll)
        self.thread.start()

    def _poll(self):
        while not self.stop.is_set():
            self.consumer.poll(0.1)

    def close(self):
        self.stop.set()
        self.thread.join()
        self.consumer.close()


def test_watch_reports_joins_moves_and_leaves(cli, name, bootstrap):
    topic, group = name("cli-watch"), name("cli-watch-grp")
    cli.run("topic", "create", topic, "-p", "2")
    cli.run("produce", topic, "-q", "-K", ":", input="a:1\nb:2\nc:3\n")
    first = _Member(bootstrap, group, topic, "watch-one")
    try:
        deadline = time.time() + 30
        while "Stable" not in cli.run("group", "describe", group, check=False).stdout and time.time() < deadline:
            time.sleep(0.2)
        watch = subprocess.Popen([os.environ["SAMSA_BIN"], "--bootstrap", bootstrap, "group", "watch", group,
                                  "--interval-ms", "200", "-n", "60"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        second = _Member(bootstrap, group, topic, "watch-two")
        time.sleep(5)
        second.close()
        out, err = watch.communicate(timeout=60)
    finally:
        first.close()
    print(out)  # shown by pytest -rA: what a learner sees
    assert watch.returncode == 0, err
    assert f"group {group}" in out and "watch-one" in out, out  # the first view
    assert "member watch-two" in out and "joined" in out, out
    assert "moved watch-one" in out or "assigned to watch-two" in out, out
    assert "member watch-two" in out and "left" in out, out
    assert "\x1b[" not in out  # no screen control codes into a pipe


def test_watch_unknown_group_and_unreachable_broker(cli, name):
    p = cli.run("group", "watch", name("no-such-group"), "-n", "1", check=False)
    assert p.returncode == 4, p
    p = cli.run("group", "watch", "g", "-n", "1", "--bootstrap", "127.0.0.1:1", bootstrap=False, check=False)
    assert p.returncode == 3, p


def test_watch_redraws_in_place_on_a_terminal(cli, name, bootstrap):
    topic, group = name("cli-watch-tty"), name("cli-watch-tty-grp")
    cli.run("topic", "create", topic, "-p", "1")
    cli.run("produce", topic, "-q", input="x\ny\n")
    cli.run("consume", topic, "-g", group, "-n", "1", "-q")
    leader, follower = pty.openpty()
    p = subprocess.Popen([os.environ["SAMSA_BIN"], "--bootstrap", bootstrap, "group", "watch", group,
                          "--interval-ms", "100", "-n", "3"], stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO once the program is gone
            break
        if not chunk:
            break
        out += chunk
    assert p.wait(timeout=30) == 0, p.stderr.read()
    text = out.decode()
    assert text.count("\x1b[H\x1b[2J") == 3, text  # one full redraw per look
    assert text.count(f"{group}  state: Empty") == 3 and "LAG" in text, text
