# The integration fixtures (a fresh broker per test), plus a console client.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from samsa_fixtures import *  # noqa: E402,F401,F403
