"""Every thread of a broker with all its HTTP services on says what it is in
/proc (what top -H, perf and gdb show): the console, Schema Registry and REST
proxy servers each run on a thread of their own name."""

import collections
import os


def thread_names(pid):
    names = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            names.append(f.read().strip())
    return collections.Counter(names)


def test_http_services_run_on_named_threads(broker_factory):
    broker = broker_factory({"http.listeners": "http://127.0.0.1:0",
                             "schema.registry.listeners": "http://127.0.0.1:0",
                             "http.proxy.listeners": "http://127.0.0.1:0"})
    names = thread_names(broker.proc.pid)
    for wanted in ("samsa-console", "samsa-registry", "samsa-proxy"):
        assert names[wanted] == 1, names
    # Only the main thread keeps the program's own name.
    assert names["samsa"] == 1, names


def test_thread_counts_follow_their_settings(broker_factory):
    """num.io.threads request handler threads (samsa-io-<i>), background.threads
    workers (samsa-work-<i>) and num.network.threads network threads
    (samsa-net-<i>), each exactly as many as configured."""
    broker = broker_factory({"num.io.threads": "3", "background.threads": "2", "num.network.threads": "2"})
    names = thread_names(broker.proc.pid)

    def count(prefix):
        return sum(n for name, n in names.items() if name.startswith(prefix))

    assert count("samsa-io-") == 3, names
    assert count("samsa-work-") == 2, names
    assert count("samsa-net-") == 2, names
    assert names["samsa"] == 1, names
