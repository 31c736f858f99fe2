"""The README's payments pipeline, end to end: payments POSTed to `samsa
source http` with a registered JSON Schema, encoded in the Schema Registry's
wire format, landing in a PostgreSQL table through `samsa sink postgres
--decode`, with the record's coordinates beside each payment."""

import json

import requests

from postgres_server import postgres  # noqa: F401 (fixture)
from registry_util import REGISTRY, registry_url
from test_sink_postgres import Sink, create_topic, stored_offsets, wait_until
from test_source_http import source_factory  # noqa: F401 (fixture)

PAYMENT = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Payment", "type": "object",
    "properties": {"id": {"type": "string"}, "customer": {"type": "string"},
                   "amount": {"type": "number"}, "currency": {"type": "string"}},
    "required": ["id", "customer", "amount", "currency"],
}

TABLE = """CREATE TABLE payments (
  id text PRIMARY KEY, customer text NOT NULL, amount numeric(12,2) NOT NULL, currency char(3) NOT NULL,
  kafka_partition integer, kafka_offset bigint, kafka_timestamp timestamptz)"""


def test_payments_over_http_land_in_postgres(broker_factory, name, postgres, source_factory, tmp_path):
    broker = broker_factory(REGISTRY)
    url = registry_url(broker)
    create_topic(broker.bootstrap, "payments", 3)
    schema = tmp_path / "payment.json"
    schema.write_text(json.dumps(PAYMENT))
    src = source_factory("payments", "--key-field", "customer", "--value-schema", str(schema),
                         "--schema-registry", url, on=broker)
    payments = [{"id": f"p{i}", "customer": f"c{i % 4}", "amount": 10 + i / 4, "currency": "EUR"} for i in range(40)]
    for i in range(0, 40, 10):
        r = requests.post(src.url + "/payments", json=payments[i:i + 10], timeout=30)
        assert r.status_code == 200, r.text
    assert requests.get(f"{url}/subjects").json() == ["payments-value"]

    postgres.sql(TABLE)
    sink = Sink(broker, postgres, "payments", extra=["--decode", "--schema-registry", url, "--upsert-key", "id"])
    sink.start()
    wait_until(lambda: sum(stored_offsets(postgres, "payments").values()) == 40, "40 payments", sink, postgres)
    assert sink.stop() == 0
    rows = postgres.sql("SELECT id, customer, amount, currency FROM payments ORDER BY amount")
    assert rows == [[p["id"], p["customer"], f"{p['amount']:.2f}", "EUR"] for p in payments]
    # One customer's payments share a partition (the key), in posting order.
    per_customer = postgres.sql(
        "SELECT customer, count(DISTINCT kafka_partition), bool_and(kafka_timestamp IS NOT NULL) FROM payments GROUP BY customer")
    assert all(r[1] == "1" and r[2] == "t" for r in per_customer), per_customer
