# Makes the shared fixtures (samsa_fixtures.py) visible to the tests here.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from samsa_fixtures import *  # noqa: E402,F401,F403
