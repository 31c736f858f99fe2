# The compat tests reuse the integration harness and fixtures.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from samsa_fixtures import *  # noqa: E402,F401,F403
