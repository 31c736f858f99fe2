"""pytest fixtures shared by the integration and compat tests: a fresh broker per
test and unique topic/group names, so tests never see each other's state."""

import sys
import uuid

import pytest

from samsa_harness import Broker


@pytest.fixture
def broker_factory(request):
    """broker_factory(**settings) -> a started Broker; settings use Kafka property names."""
    made = []

    def make(settings=None, **kw):
        merged = dict(settings or {})
        merged.update({k.replace("_", "."): v for k, v in kw.items()})
        b = Broker(merged)
        made.append(b)
        return b.start()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for b in made:
        if failed and not b.external:
            sys.stderr.write(b.log_tail(80) + "\n")
        b.close()


@pytest.fixture
def broker(broker_factory):
    return broker_factory()


@pytest.fixture
def name():
    """name('topic') -> a unique, valid Kafka name."""
    def make(prefix="t"):
        return f"{prefix}-{uuid.uuid4().hex[:10]}"
    return make


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
