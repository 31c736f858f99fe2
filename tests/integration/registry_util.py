"""Helpers for the Schema Registry tests: a broker with its registry on a free
port, the port read from the file the broker writes beside its Kafka port."""

import os
import time

import requests

REGISTRY = {"schema.registry.listeners": "http://127.0.0.1:0"}
CT = "application/vnd.schemaregistry.v1+json"


def read_port_file(path, proc=None, log_tail=lambda: "", timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                text = f.read().strip()
            if text:
                return int(text)
        except (FileNotFoundError, ValueError):
            pass
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode} before writing {path}\n{log_tail()}")
        time.sleep(0.02)
    raise AssertionError(f"no port file at {path}\n{log_tail()}")


def registry_url(broker):
    port = read_port_file(os.path.join(broker.work_dir, "port.registry"), log_tail=broker.log_tail)
    return f"http://127.0.0.1:{port}"


class Registry:
    """A thin REST client that returns (status, json) and never raises on 4xx/5xx."""

    def __init__(self, url):
        self.url = url
        self.session = requests.Session()

    def call(self, method, path, body=None, params=None, content_type=CT, raw=None):
        headers = {}
        data = raw
        if body is not None:
            import json
            data = json.dumps(body)
        if data is not None:
            headers["Content-Type"] = content_type
        r = self.session.request(method, self.url + path, data=data, params=params, headers=headers, timeout=30)
        try:
            payload = r.json()
        except ValueError:
            payload = r.text
        return r.status_code, payload

    def register(self, subject, schema, schema_type=None, references=None, params=None):
        body = {"schema": schema}
        if schema_type:
            body["schemaType"] = schema_type
        if references:
            body["references"] = references
        return self.call("POST", f"/subjects/{subject}/versions", body, params=params)
