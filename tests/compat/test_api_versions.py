"""ApiVersions over a raw socket, at every version a client sends and at one no
broker knows, plus the version ranges the target clients depend on (CLIENTS.md)."""


import pytest

import kafka_wire as kw


def api_versions(broker, version, correlation_id=7):
    with kw.connect(broker.host_port) as s:
        s.sendall(kw.api_versions_request(version, correlation_id))
        cid, body = kw.read_response(s)
    assert cid == correlation_id, "correlation id not echoed (ApiVersions responses use header v0)"
    return kw.parse_api_versions(version, body)


@pytest.mark.parametrize("version", [0, 1, 2, 3])
def test_api_versions_each_version(broker, version):
    error, keys, throttle = api_versions(broker, version)
    assert error == 0
    assert kw.API_VERSIONS in keys and keys[kw.API_VERSIONS][0] == 0 and keys[kw.API_VERSIONS][1] >= 3
    assert kw.METADATA in keys and keys[kw.METADATA][0] == 0, f"Metadata range {keys.get(kw.METADATA)} (kafka-python needs v0)"
    for k, (lo, hi) in keys.items():
        assert 0 <= lo <= hi, f"api {k}: bad range {lo}..{hi}"
    if version >= 1:
        assert throttle == 0


def test_api_versions_same_list_at_every_version(broker):
    lists = [api_versions(broker, v)[1] for v in range(4)]
    for v in range(1, 4):
        assert lists[v] == lists[0], f"v{v} lists other ranges than v0"


def test_api_versions_unsupported_version_gets_v0_error_answer(broker):
    # A request version from the future: Kafka answers UNSUPPORTED_VERSION (35)
    # in the v0 layout, listing its own ApiVersions range so the client can retry.
    with kw.connect(broker.host_port) as s:
        s.sendall(kw.api_versions_request(99, correlation_id=4242))
        cid, body = kw.read_response(s)
        assert cid == 4242
        error, keys, _ = kw.parse_api_versions(0, body)
        assert error == 35, f"error {error}, expected UNSUPPORTED_VERSION (35)"
        assert kw.API_VERSIONS in keys, "the error answer must list the ApiVersions range"
        lo, hi = keys[kw.API_VERSIONS]
        assert lo == 0 and hi >= 3
        # The connection stays usable: a client retries on it with a version it knows.
        s.sendall(kw.api_versions_request(hi if hi <= 3 else 3, correlation_id=4243))
        cid, body = kw.read_response(s)
        assert cid == 4243
        assert kw.parse_api_versions(hi if hi <= 3 else 3, body)[0] == 0


def test_pipelined_api_versions_then_metadata(broker):
    # kafka-python's probe: ApiVersions v0 and Metadata v0/v1 back to back on one socket.
    with kw.connect(broker.host_port) as s:
        s.sendall(kw.api_versions_request(0, 11) + kw.metadata_request_v1(None, 12))
        cid1, body1 = kw.read_response(s)
        cid2, body2 = kw.read_response(s)
    assert (cid1, cid2) == (11, 12), "responses must come back in request order"
    assert kw.parse_api_versions(0, body1)[0] == 0
    brokers, controller, _topics = kw.parse_metadata_v1(body2)
    assert len(brokers) == 1
    node_id, host, port, _rack = brokers[0]
    assert (host, port) == broker.host_port or broker.external, f"advertised {host}:{port}, bound {broker.host_port}"
    assert controller == node_id


# Ranges the target clients need (CLIENTS.md / API-VERSIONS.md), grouped by the
# feature that brings them, so a failure names the missing feature.
REQUIRED = {
    "bootstrap": {18: (0, 3), 3: (0, 4)},
    "produce-fetch": {0: (0, 7), 1: (4, 11), 2: (0, 2)},
    "topics-admin": {19: (0, 4), 20: (0, 1), 37: (0, 0), 32: (0, 1), 33: (0, 0)},
    "groups": {10: (0, 2), 11: (0, 5), 12: (0, 3), 13: (0, 1), 14: (0, 3), 8: (0, 7), 9: (0, 7),
               15: (0, 4), 16: (0, 4), 42: (0, 1)},
}


@pytest.mark.parametrize("feature", sorted(REQUIRED))
def test_advertised_ranges_cover_clients(broker, feature):
    _, keys, _ = api_versions(broker, 3)
    problems = []
    for key, (lo, hi) in REQUIRED[feature].items():
        if key not in keys:
            problems.append(f"api {key} not advertised")
            continue
        blo, bhi = keys[key]
        if blo > lo or bhi < hi:
            problems.append(f"api {key}: advertises {blo}..{bhi}, clients need {lo}..{hi}")
    assert not problems, "; ".join(problems)


def test_kafka_python_guesses_modern_broker(broker):
    # kafka-python picks fixed Produce/Fetch versions from a guess based on the
    # advertised ranges; Fetch v10 or more makes it guess >= 2.1.
    _, keys, _ = api_versions(broker, 0)
    assert keys.get(1, (0, 0))[1] >= 10, f"Fetch range {keys.get(1)}: kafka-python would guess an old broker"
