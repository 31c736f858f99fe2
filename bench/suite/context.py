"""What every section gets: the programs, the settings, a scratch directory,
and a place to record failures without stopping the whole run."""

import os
import sys
import time
import traceback

from .processes import BenchError


class Context:
    def __init__(self, programs, settings, work_dir):
        self.programs = programs
        self.settings = settings
        self.work_dir = work_dir
        self.failures = []
        self.started = time.monotonic()

    def log(self, message):
        print(f"[{time.monotonic() - self.started:7.1f}s] {message}", file=sys.stderr, flush=True)

    def fail(self, where, error):
        """Records a failed step (command, exit status, stderr tail) and carries on."""
        text = str(error) if isinstance(error, BenchError) else "".join(
            traceback.format_exception(type(error), error, error.__traceback__))
        self.failures.append({"where": where, "error": text[-4000:]})
        self.log(f"FAILED {where}: {text.splitlines()[0] if text else error!r}")

    def attempt(self, where, fn, *args, **kwargs):
        """fn(*args) or None when it raised (the failure is recorded)."""
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # a failed step must not lose the figures already measured
            self.fail(where, e)
            return None

    def scratch(self, name):
        path = os.path.join(self.work_dir, name)
        os.makedirs(path, exist_ok=True)
        return path
