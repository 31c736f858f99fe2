"""`samsa sink postgres` against a real PostgreSQL server (started by the
test): every record lands exactly once although the sink is SIGKILLed at
random moments, because the consumed offsets are stored in the same
transaction as the rows and read back from the database at each start."""

import json
import os
import random
import signal
import subprocess
import time

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from postgres_server import postgres  # noqa: F401 (fixture)
from samsa_harness import samsa_bin

RECORDS = 10_000

# The counter is the point: a plain INSERT of a (topic, partition, offset)
# that is already there bumps `deliveries` instead of failing or vanishing,
# so a duplicate delivery shows as a 2, where an upsert would hide it.
TABLE = """
CREATE TABLE payments (
  kafka_topic text NOT NULL, kafka_partition integer NOT NULL, kafka_offset bigint NOT NULL,
  id bigint NOT NULL, amount numeric(12,2) NOT NULL, currency text, kafka_timestamp timestamptz,
  deliveries integer NOT NULL DEFAULT 1,
  PRIMARY KEY (kafka_topic, kafka_partition, kafka_offset));
CREATE FUNCTION count_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE payments SET deliveries = deliveries + 1
   WHERE kafka_topic = NEW.kafka_topic AND kafka_partition = NEW.kafka_partition AND kafka_offset = NEW.kafka_offset;
  IF FOUND THEN RETURN NULL; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER count_delivery BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION count_delivery();
"""


def create_topic(bootstrap, topic, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])[topic].result(15)


def produce(bootstrap, topic, values, keys=None):
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5, "enable.idempotence": True})
    for i, v in enumerate(values):
        p.produce(topic, key=(keys[i] if keys else str(i)).encode(), value=None if v is None else (v if isinstance(v, bytes) else v.encode()))
        if i % 1000 == 0:
            p.poll(0)
    assert p.flush(30) == 0


def end_offsets(bootstrap, topic, partitions):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "watermarks"})
    try:
        return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(partitions)}
    finally:
        c.close()


class Sink:
    def __init__(self, broker, pg, topic, table="payments", extra=(), log_dir=None):
        self.args = [samsa_bin(), "sink", "postgres", "--bootstrap", broker.bootstrap, "--topic", topic,
                     "--table", table, "--connection", pg.url, *extra]
        self.log_path = os.path.join(log_dir or broker.work_dir, "sink.log")
        self.proc = None

    def start(self):
        log = open(self.log_path, "ab")
        log.write(f"=== {' '.join(self.args)}\n".encode())
        log.flush()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMSA_")}
        self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        log.close()
        return self

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()[-4000:]

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def run_to_exit(self, timeout=30):
        self.start()
        code = self.proc.wait(timeout=timeout)
        return code, self.log()


def wait_until(check, what, sink, pg, timeout=40.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if sink.proc.poll() is not None:
            raise AssertionError(f"the sink exited with {sink.proc.returncode} while waiting for {what}\n{sink.log()}")
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}\n{sink.log()}\n{pg.log_tail()}")


def stored_offsets(pg, topic):
    if pg.value("SELECT to_regclass('samsa_sink_offsets') IS NULL") == "t":
        return {}  # the sink has not created it yet
    return {int(p): int(o) for p, o in pg.sql(
        f"SELECT kafka_partition, next_offset FROM samsa_sink_offsets WHERE topic = '{topic}'")}


def test_sigkilled_sink_leaves_every_record_exactly_once(broker, name, postgres):
    topic = name("payments")
    partitions = 3
    create_topic(broker.bootstrap, topic, partitions)
    values = [json.dumps({"id": i, "amount": f"{i % 1000}.{i % 100:02d}", "currency": "EUR"}) for i in range(RECORDS)]
    produce(broker.bootstrap, topic, values)
    ends = end_offsets(broker.bootstrap, topic, partitions)
    assert sum(ends.values()) == RECORDS
    postgres.sql(TABLE)

    rows = lambda: int(postgres.value("SELECT count(*) FROM payments"))  # noqa: E731
    # Small transactions, so a kill can land inside one at any of many points.
    sink = Sink(broker, postgres, topic, extra=["--batch-size", "40", "--group", "payments-sink",
                                                      "--instance-id", "sink-1"])
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    thresholds = sorted(rng.sample(range(300, RECORDS - 1500), 3))
    started = time.monotonic()
    for at in thresholds:
        sink.start()
        wait_until(lambda: rows() >= at, f"{at} rows (seed {seed})", sink, postgres)
        # A little more random travel, so the kill is not always right after a commit.
        time.sleep(rng.uniform(0, 0.03))
        sink.kill()
    sink.start()
    wait_until(lambda: stored_offsets(postgres, topic) == ends, "the stored offsets to reach the log ends", sink, postgres)
    elapsed = time.monotonic() - started
    assert sink.stop() == 0, sink.log()

    assert rows() == RECORDS, sink.log()
    dup = postgres.sql("SELECT kafka_partition, kafka_offset, deliveries FROM payments WHERE deliveries <> 1 LIMIT 5")
    assert dup == [], f"records delivered more than once (seed {seed}): {dup}\n{sink.log()}"
    assert postgres.value("SELECT count(DISTINCT id) FROM payments") == str(RECORDS)
    assert postgres.value("SELECT min(id) || ' ' || max(id) FROM payments") == f"0 {RECORDS - 1}"
    # Columns came from the JSON fields and the record's own coordinates.
    row = postgres.sql("SELECT amount, currency, kafka_timestamp IS NOT NULL FROM payments WHERE id = 1234")
    assert row == [["234.34", "EUR", "t"]]
    print(f"sink: {RECORDS} records with 3 SIGKILLs in {elapsed:.1f}s (kills after {thresholds} rows, seed {seed})")


def test_sink_rides_out_a_postgres_restart(broker, name, postgres):
    """PostgreSQL stopped (immediate: connections break mid-transaction) and
    started again: the sink reconnects, learns from the stored offsets whether
    its lost commit landed, and goes on; still exactly once."""
    topic = name("t")
    create_topic(broker.bootstrap, topic, 2)
    produce(broker.bootstrap, topic, [json.dumps({"id": i, "amount": "1.00"}) for i in range(RECORDS)])
    ends = end_offsets(broker.bootstrap, topic, 2)
    postgres.sql(TABLE)
    sink = Sink(broker, postgres, topic, extra=["--batch-size", "40"]).start()
    rows = lambda: int(postgres.value("SELECT count(*) FROM payments"))  # noqa: E731
    wait_until(lambda: rows() >= 2000, "2000 rows", sink, postgres)
    postgres.restart()
    wait_until(lambda: stored_offsets(postgres, topic) == ends, "all records after the restart", sink, postgres)
    assert sink.stop() == 0, sink.log()
    assert "trying again" in sink.log()  # it did lose the connection
    assert rows() == RECORDS
    assert postgres.sql("SELECT kafka_offset FROM payments WHERE deliveries <> 1 LIMIT 5") == [], sink.log()


def test_assignment_while_postgres_is_down_waits_for_it(broker, name, postgres):
    """A new partition is assigned while PostgreSQL is down: reading its
    stored offset is retried until the database is back, then it is read."""
    topic = name("t")
    create_topic(broker.bootstrap, topic, 1)
    postgres.sql(TABLE)
    sink = Sink(broker, postgres, topic, extra=["-X", "topic.metadata.refresh.interval.ms=500"]).start()
    wait_until(lambda: "assigned" in sink.log(), "the first assignment", sink, postgres)
    postgres.pause()
    try:
        out = subprocess.run([samsa_bin(), "topic", "add-partitions", topic, "--to", "2", "--bootstrap",
                              broker.bootstrap], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        deadline = time.monotonic() + 20
        while "trying again" not in sink.log() and time.monotonic() < deadline:
            assert sink.proc.poll() is None, sink.log()
            time.sleep(0.05)
        assert "trying again" in sink.log()
    finally:
        postgres.resume()
    produce(broker.bootstrap, topic, [json.dumps({"id": i, "amount": "1.00"}) for i in range(20)])
    ends = end_offsets(broker.bootstrap, topic, 2)
    assert min(ends.values()) > 0  # both partitions got records
    wait_until(lambda: stored_offsets(postgres, topic) == ends, "both partitions", sink, postgres)
    assert sink.stop() == 0
    assert postgres.value("SELECT count(*) FROM payments") == "20"


def test_offsets_moved_by_another_writer_fence_the_batch(broker, name, postgres):
    """The offset update only moves an offset that is still where this sink
    left it: when something else (another sink after a rebalance; here the
    test itself) moved it, the batch is dropped and the sink reads again
    from the stored offset, so it never writes what the other one wrote."""
    topic = name("t")
    create_topic(broker.bootstrap, topic, 1)
    produce(broker.bootstrap, topic, [json.dumps({"id": i, "amount": "1.00"}) for i in range(10)])
    postgres.sql(TABLE)
    sink = Sink(broker, postgres, topic, extra=["--group", "fenced"]).start()
    wait_until(lambda: stored_offsets(postgres, topic) == {0: 10}, "the first 10", sink, postgres)
    # "Another sink" wrote offsets 10..14 and stored 15.
    postgres.sql(f"UPDATE samsa_sink_offsets SET next_offset = 15 WHERE sink = 'fenced' AND topic = '{topic}'")
    produce(broker.bootstrap, topic, [json.dumps({"id": i, "amount": "1.00"}) for i in range(10, 20)])
    wait_until(lambda: stored_offsets(postgres, topic) == {0: 20}, "the rest", sink, postgres)
    assert sink.stop() == 0
    assert "is stored at 15 by another sink" in sink.log()
    ids = [int(r[0]) for r in postgres.sql("SELECT id FROM payments ORDER BY id")]
    assert ids == list(range(10)) + list(range(15, 20)), sink.log()


def test_sink_throughput(broker, name, postgres):
    """Not an assertion on speed: measures rows/s once, for the report."""
    topic = name("tp")
    create_topic(broker.bootstrap, topic, 1)
    produce(broker.bootstrap, topic, [json.dumps({"id": i, "amount": "1.00"}) for i in range(RECORDS)])
    postgres.sql("CREATE TABLE t (id bigint PRIMARY KEY, amount numeric(12,2))")
    sink = Sink(broker, postgres, topic, table="t").start()
    started = time.monotonic()
    wait_until(lambda: stored_offsets(postgres, topic) == {0: RECORDS}, "all records", sink, postgres)
    elapsed = time.monotonic() - started
    assert sink.stop() == 0
    assert postgres.value("SELECT count(*) FROM t") == str(RECORDS)
    print(f"sink throughput: {RECORDS / elapsed:.0f} rows/s ({RECORDS} rows, batch 500, including start)")
