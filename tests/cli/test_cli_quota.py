"""samsa quota set / list / remove: client quotas by user and/or client id
(`<default>` entities included) through AlterClientQuotas and
DescribeClientQuotas, and refusals with the broker's message."""

import json


def _listed(cli, *entity):
    return json.loads(cli.run("quota", "list", *entity, "-o", "json").stdout)


def test_quota_set_list_remove(cli, name):
    client = name("loader")
    cli.run("quota", "set", "--client-id", client, "--producer-byte-rate", "1048576")
    cli.run("quota", "set", "--client-id", client, "--consumer-byte-rate", "2048")
    cli.run("quota", "set", "--user-default", "--client-id", client, "--request-percentage", "12.5")

    mine = _listed(cli, "--client-id", client)
    by_entity = {json.dumps(e["entity"], sort_keys=True): e["values"] for e in mine}
    assert by_entity[json.dumps({"client-id": client})] == {"producer_byte_rate": 1048576,
                                                            "consumer_byte_rate": 2048}
    assert by_entity[json.dumps({"client-id": client, "user": None}, sort_keys=True)] == {"request_percentage": 12.5}
    table = cli.run("quota", "list", "--client-id", client).stdout
    assert f"/clients/{client}" in table and "/users/<default>" in table

    cli.run("quota", "remove", "--client-id", client, "--key", "consumer_byte_rate")
    only = [e for e in _listed(cli, "--client-id", client) if e["entity"] == {"client-id": client}]
    assert only[0]["values"] == {"producer_byte_rate": 1048576}
    cli.run("quota", "remove", "--client-id", client)
    cli.run("quota", "remove", "--user-default", "--client-id", client)
    assert _listed(cli, "--client-id", client) == []


def test_quota_refusals(cli, name):
    client = name("bad")
    p = cli.run("quota", "set", "--client-id", client, "--producer-byte-rate", "10.5", check=False)
    assert p.returncode != 0 and "whole number" in p.stderr, p.stderr
    p = cli.run("quota", "set", "--client-id", client, check=False)
    assert p.returncode == 2 and "no value" in p.stderr, p.stderr
    p = cli.run("quota", "set", "--producer-byte-rate", "5", check=False)
    assert p.returncode == 2 and "entity" in p.stderr, p.stderr
    assert _listed(cli, "--client-id", client) == []
