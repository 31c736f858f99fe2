#!/usr/bin/env python3
"""Refresh Samsa's message definitions (*.def) from Kafka's JSON schemas.

usage: import_reference.py MESSAGES_DIR [--newer DIR]... [--out DIR]

MESSAGES_DIR is Kafka's clients/src/main/resources/common/message folder (the
full-history set whose ranges still start at v0). Each --newer names a later
state of the same folder, oldest first (default: MESSAGES_DIR/../messages-4.0.0
if present); where one defines a higher max version, that version and the
fields it adds are taken from it, while the old versions the base still has
are kept (old clients need them). An API whose versions so far were all
unstable (early access, e.g. the share-group APIs' v0 in Kafka 4.0) is taken
whole from the first later folder that makes it stable, because Kafka removed
those early versions rather than keeping them. A schema only a --newer folder
has (an API added later) starts there. Only facts are kept: names, types,
version ranges, nullable/tagged versions, tags, defaults, mapKey, ignorable and
flexible versions.
"""
import argparse
import json
import os
import re
import shlex
import sys

# API keys Samsa serves (API-VERSIONS.md roles B, P, C, A, I, T, S, K, opt).
SERVED_KEYS = [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
               24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
               44, 45, 46, 47, 48, 49, 50, 51, 60, 61, 65, 66, 68, 69, 71, 72, 74, 75,
               # KIP-932 share groups: heartbeat, describe, fetch, acknowledge and
               # the admin offset APIs (describe/alter/delete share-group offsets).
               76, 77, 78, 79, 90, 91, 92]
EXTRA_FILES = {
    "headers": ["RequestHeader", "ResponseHeader"],
    "consumer_protocol": ["ConsumerProtocolSubscription", "ConsumerProtocolAssignment"],
}


def strip_comments(text):
    """Removes // comments that are outside JSON strings."""
    out = []
    in_string = False
    escaped = False
    i = 0
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(c)
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.loads(strip_comments(f.read()))


def version_range(text):
    if text in (None, "none"):
        return None
    if "-" in text:
        lo, hi = text.split("-")
        return int(lo), int(hi)
    return int(text), int(text)


def closed_versions(base, newer):
    """A field a later layer removes (e.g. a topic name replaced by a topic id:
    "0+" there becomes "0-12") keeps its old lower bound and takes the new end."""
    if base.endswith("+") and "-" in newer:
        return base[:-1] + "-" + newer.split("-")[1]
    return base


def merge_fields(base, newer):
    """Adds fields that only `newer` has, keeping each one after its predecessor."""
    by_name = {f["name"]: f for f in base}
    result = list(base)
    previous = None
    for f in newer:
        if f["name"] in by_name:
            old = by_name[f["name"]]
            old["versions"] = closed_versions(old.get("versions", "0+"), f.get("versions", "0+"))
            if "fields" in f:
                old["fields"] = merge_fields(old.get("fields", []), f["fields"])
        else:
            at = result.index(by_name[previous]) + 1 if previous in by_name else len(result)
            result.insert(at, f)
            by_name[f["name"]] = f
        previous = f["name"]
    return result


def stable_max(lo, hi, unstable):
    """The highest version Samsa may use: Kafka's newest is left out while unstable."""
    return hi - 1 if unstable else hi


def latest_unstable(folder, name, schema):
    """Kafka marks only the request unstable; its response shares the mark."""
    if schema.get("latestVersionUnstable", False):
        return True
    if name.endswith("Response"):
        request_path = os.path.join(folder, name[: -len("Response")] + "Request.json")
        if os.path.exists(request_path):
            return load(request_path).get("latestVersionUnstable", False)
    return False


def apply_newer(base, lo, hi, unstable, newer, newer_unstable):
    """Folds one later state of a schema into (base, lo, hi, unstable)."""
    newer_range = version_range(newer.get("validVersions"))
    if not newer_range:
        return base, lo, hi, unstable
    if base is None or stable_max(lo, hi, unstable) < lo:
        # Nothing stable yet: early-access versions are not kept.
        return newer, newer_range[0], newer_range[1], newer_unstable
    if newer_range[1] < hi:
        return base, lo, hi, unstable
    if newer_range[1] > hi:
        base["fields"] = merge_fields(base["fields"], newer["fields"])
        structs = {s["name"]: s for s in base.get("commonStructs", [])}
        for s in newer.get("commonStructs", []):
            if s["name"] in structs:
                structs[s["name"]]["fields"] = merge_fields(structs[s["name"]]["fields"], s["fields"])
            else:
                base.setdefault("commonStructs", []).append(s)
    return base, lo, newer_range[1], newer_unstable


def merged_schema(base_dir, newer_dirs, name):
    base, lo, hi, unstable = None, 0, -1, False
    base_path = os.path.join(base_dir, name + ".json")
    if os.path.exists(base_path):
        base = load(base_path)
        rng = version_range(base["validVersions"])
        if rng:
            lo, hi = rng
            unstable = latest_unstable(base_dir, name, base)
    for newer_dir in newer_dirs:
        newer_path = os.path.join(newer_dir, name + ".json")
        if os.path.exists(newer_path):
            newer = load(newer_path)
            base, lo, hi, unstable = apply_newer(base, lo, hi, unstable, newer,
                                                 latest_unstable(newer_dir, name, newer))
    hi = stable_max(lo, hi, unstable)
    base["validVersions"] = f"{lo}-{hi}" if hi >= lo else "none"
    return base


def default_token(value):
    if isinstance(value, bool):
        value = "true" if value else "false"
    value = str(value)
    return "default=" + (shlex.quote(value) if value == "" or " " in value else value)


def field_lines(field, depth):
    parts = [field["name"], field["type"], field.get("versions", "0+")]
    if "nullableVersions" in field:
        parts.append("nullable=" + field["nullableVersions"])
    if "taggedVersions" in field:
        parts.append("tagged=" + field["taggedVersions"])
    if "tag" in field:
        parts.append("tag=" + str(field["tag"]))
    if "flexibleVersions" in field:
        parts.append("flexible=" + field["flexibleVersions"])
    if field.get("mapKey"):
        parts.append("mapKey")
    if field.get("ignorable"):
        parts.append("ignorable")
    if "default" in field:
        parts.append(default_token(field["default"]))
    lines = ["  " * depth + " ".join(parts)]
    for child in field.get("fields", []):
        lines += field_lines(child, depth + 1)
    return lines


def message_lines(schema):
    kind = schema["type"]
    head = [kind, schema["name"]]
    if "apiKey" in schema:
        head.append("key=" + str(schema["apiKey"]))
    head.append("versions=" + schema["validVersions"])
    head.append("flexible=" + schema.get("flexibleVersions", "none"))
    lines = [" ".join(head)]
    for field in schema["fields"]:
        lines += field_lines(field, 1)
    for struct in schema.get("commonStructs", []):
        lines.append("  struct " + struct["name"] + " " + struct.get("versions", "0+"))
        for field in struct["fields"]:
            lines += field_lines(field, 2)
    return lines


def snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("messages_dir")
    parser.add_argument("--newer", action="append", default=None,
                        help="a later state of the folder; repeat, oldest first")
    parser.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    args = parser.parse_args()
    newer = args.newer
    if newer is None:
        candidate = os.path.join(os.path.dirname(os.path.abspath(args.messages_dir)), "messages-4.0.0")
        newer = [candidate] if os.path.isdir(candidate) else []

    # The newest folder that holds an API's schema decides its name (an API can
    # be renamed, e.g. ListClientMetricsResources became ListConfigResources).
    names_by_key = {}
    for folder in reversed([args.messages_dir] + newer):
        for file in sorted(os.listdir(folder)):
            if not file.endswith(".json"):
                continue
            schema = load(os.path.join(folder, file))
            if schema.get("type") in ("request", "response") and schema.get("apiKey") in SERVED_KEYS:
                names_by_key.setdefault(schema["apiKey"], {}).setdefault(schema["type"], file[:-5])
    by_key = {key: [kinds["request"], kinds["response"]] for key, kinds in names_by_key.items()}

    outputs = {}
    for key, names in sorted(by_key.items()):
        api = names[0][: -len("Request")]
        outputs[f"{key:02d}_{snake(api)}"] = names
    outputs.update(EXTRA_FILES)

    written = 0
    for stem, names in outputs.items():
        lines = ["# Samsa message definitions; refresh with import_reference.py (see README.md)."]
        skip = False
        for name in names:
            schema = merged_schema(args.messages_dir, newer, name)
            if schema["validVersions"] == "none":
                skip = True
                break
            lines.append("")
            lines += message_lines(schema)
        if skip:
            print(f"skipping {stem}: no stable version", file=sys.stderr)
            continue
        with open(os.path.join(args.out, stem + ".def"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        written += 1
    print(f"wrote {written} definition files to {args.out}")


if __name__ == "__main__":
    main()
