#!/usr/bin/env python3
"""False positives on real events: runs JSON files from a local clone through `lambda-guard scan`.

    python3 scripts/benign-events.py events   DIR       # each *.json object under DIR is an event
    python3 scripts/benign-events.py webhooks DIR       # each *.json under DIR is a webhook body
    python3 scripts/benign-events.py members  FILE KEY  # each member of FILE's KEY object, as a webhook
    python3 scripts/benign-events.py examples DIR       # every example value of OpenAPI files under DIR

Webhook bodies are POSTed to a function URL (an API Gateway HTTP API v2 event, JSON content type).
OpenAPI examples (`example`, and each `examples` entry's `value`, in *.json files and, when
PyYAML is importable, *.yaml/*.yml files; each distinct value once): an object or array is such a
body, a string the value of a query parameter.
Prints how many events were scanned and refused, and each refusal's rule, path and excerpt.
Needs the CLI built (`cargo build --release -p lambda-guard-cli`); GUARD_TMP_DIR defaults to a
private directory under target/, never the machine's /tmp.
"""
import json
import pathlib
import sys
import urllib.parse

from guard_scan import scan

ROOT = pathlib.Path(__file__).resolve().parent.parent


def webhook(body: str) -> dict:
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": "/hook", "rawQueryString": "",
        "headers": {"content-type": "application/json", "user-agent": "Webhook/1.0"},
        "requestContext": {"http": {"method": "POST", "path": "/hook", "sourceIp": "192.0.2.10"},
                           "requestId": "r", "accountId": "123456789012", "apiId": "a",
                           "domainName": "a.lambda-url.eu-west-1.on.aws", "stage": "$default"},
        "body": body, "isBase64Encoded": False,
    }


def load(path: pathlib.Path):
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        return None


def query(value: str) -> dict:
    event = webhook("")
    event["requestContext"]["http"]["method"] = "GET"
    event["rawQueryString"] = "q=" + urllib.parse.quote(value, safe="")
    event["queryStringParameters"] = {"q": value}
    del event["body"]
    return event


def specs(root: pathlib.Path):
    """Parsed OpenAPI documents under `root`."""
    try:
        import yaml
    except ImportError:
        yaml = None
        print("PyYAML not importable: only *.json files are read", file=sys.stderr)
    for path in sorted(root.rglob("*")):
        if path.suffix == ".json":
            doc = load(path)
        elif path.suffix in (".yaml", ".yml") and yaml is not None:
            try:
                doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                doc = None
        else:
            continue
        if doc is not None:
            yield path, doc


def examples(node):
    """Every `example` value and `examples` entry's `value` in an OpenAPI document."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "example":
                    yield value
                elif key == "examples" and isinstance(value, dict):
                    yield from (e["value"] for e in value.values()
                                if isinstance(e, dict) and "value" in e)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def cases(mode: str, args: list[str]):
    if mode == "examples":
        seen = set()
        for path, doc in specs(pathlib.Path(args[0])):
            for value in examples(doc):
                key = json.dumps(value, sort_keys=True, default=str)
                if key in seen:
                    continue
                seen.add(key)
                if isinstance(value, (dict, list)):
                    yield f"{path}: {key[:80]}", webhook(json.dumps(value, default=str))
                elif isinstance(value, str):
                    yield f"{path}: {key[:80]}", query(value)
        return
    if mode == "members":
        members = load(pathlib.Path(args[0]))[args[1]]
        for name, value in members.items():
            yield name, webhook(json.dumps({"type": f"{name}.updated", "data": {"object": value}}))
        return
    for path in sorted(pathlib.Path(args[0]).rglob("*.json")):
        doc = load(path)
        if mode == "events" and isinstance(doc, dict):
            yield str(path), doc
        elif mode == "webhooks" and doc is not None:
            yield str(path), webhook(json.dumps(doc))


def main() -> int:
    if len(sys.argv) < 3 or sys.argv[1] not in ("events", "webhooks", "members", "examples"):
        print(__doc__, file=sys.stderr)
        return 2
    pairs = list(cases(sys.argv[1], sys.argv[2:]))
    names = [name for name, _ in pairs]
    events = [event for _, event in pairs]
    out = scan(events, ROOT / "target" / "benign-events")
    refused = 0
    for name, verdict in zip(names, out):
        if verdict["verdict"] == "deny":
            refused += 1
            for f in verdict["findings"]:
                print(f"{name}: {f['rule']} at {f['path']}: {f['excerpt']!r}")
    print(f"{len(out)} events, {refused} refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
