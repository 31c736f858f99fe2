"""A broker with its console on a free port, and a tiny HTTP client for it."""

import http.client
import json
import os
import time

CONSOLE = {"http.listeners": "http://127.0.0.1:0"}


def console_port(broker, timeout=10.0):
    """The console's port, from the port file the broker writes beside the Kafka one."""
    path = os.path.join(broker.work_dir, "port.http")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        except FileNotFoundError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"no console port file at {path}\n{broker.log_tail()}")


class Console:
    def __init__(self, broker):
        self.port = console_port(broker)
        self.base = f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, raw_body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        hdrs = dict(headers or {})
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=hdrs)
        res = conn.getresponse()
        payload = res.read()
        conn.close()
        return res.status, dict(res.getheaders()), payload

    def get(self, path):
        status, _, payload = self.request("GET", path)
        return status, json.loads(payload) if payload else None

    def post(self, path, body, headers=None):
        status, _, payload = self.request("POST", path, body=body, headers=headers)
        return status, json.loads(payload) if payload else None

    def text(self, path):
        status, headers, payload = self.request("GET", path)
        return status, headers, payload.decode()


class EventStream:
    """A Server-Sent Events stream from the console: next() gives (event, data as JSON)."""

    def __init__(self, console, path, timeout=30, skip=("progress",)):
        self.skip = skip
        self.conn = http.client.HTTPConnection("127.0.0.1", console.port, timeout=timeout)
        self.conn.request("GET", path)
        self.res = self.conn.getresponse()
        assert self.res.status == 200, self.res.read()
        assert self.res.getheader("Content-Type") == "text/event-stream"

    def next(self):
        event, data = "message", []
        while True:
            line = self.res.fp.readline()
            if not line:
                raise EOFError("the stream ended")
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and data:
                if event not in self.skip:
                    return event, json.loads("\n".join(data))
                event, data = "message", []

    def until(self, wanted):
        """Events up to and including the first named `wanted`: (before, that one's data)."""
        seen = []
        while True:
            event, data = self.next()
            if event == wanted:
                return seen, data
            seen.append((event, data))

    def close(self):
        self.conn.close()
