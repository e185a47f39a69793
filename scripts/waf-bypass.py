#!/usr/bin/env python3
"""Nemesida's waf_bypass payloads through `lambda-guard scan`, as its script sends them.

    python3 scripts/waf-bypass.py CHECKOUT [--misses]

CHECKOUT is a clone of https://github.com/nemesida-waf/waf_bypass (no licence is stated: read
it in place, commit nothing of it); its `payload/<CLASS>/*.json` are read. Each request is sent
in each zone its `Type` names, as `bypass.py` sends it with `requests`: `ARGS` as the query
string, `Body` as a POST body without a content type, `Cookie` as the value of a cookie,
`Headers`, `UA` and `Referer` as those headers, `URL` as the path; `requests` percent-encodes
what a URL cannot hold and leaves `%XX` as written. Each is an API Gateway HTTP API event. A
payload counts as refused when every zone it was sent in was refused; the zones are tallied too.

Needs the CLI built (`cargo build --release -p lambda-guard-cli`); GUARD_TMP_DIR defaults to a
private directory under target/.
"""
import collections
import json
import pathlib
import sys
import urllib.parse

from guard_scan import scan

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "waf-bypass"


def requote(s: str) -> str:
    """`requests.utils.requote_uri` on a string without invalid escapes."""
    return urllib.parse.quote(s, safe="!#$%&'()*+,/:;=?@[]~")


def event(path="/", query="", headers=None, body=None) -> dict:
    h = {"host": "app.example.com", "user-agent": "python-requests/2.32.3", "accept": "*/*"}
    h.update(headers or {})
    e = {"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
         "headers": h, "isBase64Encoded": False,
         "requestContext": {"http": {"method": "POST" if body is not None else "GET",
                                     "path": urllib.parse.unquote(path), "sourceIp": "198.51.100.1",
                                     "userAgent": h["user-agent"]},
                            "stage": "$default", "requestId": "r"}}
    if query:
        # API Gateway decodes `%XX` but keeps `+` in queryStringParameters; a repeated name's
        # values are joined with commas.
        params = {}
        for name, value in urllib.parse.parse_qsl(query.replace("+", "%2B"), keep_blank_values=True):
            params[name] = params[name] + "," + value if name in params else value
        e["queryStringParameters"] = params
    if body is not None:
        e["body"] = body
    return e


ZONES = {
    "ARGS": lambda p: event(query=requote(p)),
    "Body": lambda p: event(body=p),
    "Cookie": lambda p: event(headers={"cookie": "CustomCookie=" + p}),
    "Headers": lambda p: event(headers={"customheader": p}),
    "UA": lambda p: event(headers={"user-agent": p}),
    "Referer": lambda p: event(headers={"referer": p}),
    "URL": lambda p: event(path=requote(urllib.parse.urljoin("/", p))),
}


def cases(root: pathlib.Path):
    for f in sorted(root.glob("payload/*/*.json")):
        cls = f.parent.name
        for i, req in enumerate(json.loads(f.read_text())["req"]):
            req = {("URL" if k == "URl" else k): v for k, v in req.items()}
            kind = req.get("Type", "ALL")
            zones = [z for z in ZONES if req.get(z) and kind in ("ALL", z)]
            for z in zones:
                yield cls, f"{f.relative_to(root / 'payload')}#{i}", z, req[z], ZONES[z](req[z])


def main():
    args = [a for a in sys.argv[1:] if a != "--misses"]
    if len(args) != 1 or not (pathlib.Path(args[0]) / "payload").is_dir():
        sys.exit(__doc__)
    misses = "--misses" in sys.argv
    rows = list(cases(pathlib.Path(args[0])))
    out = scan([r[4] for r in rows], WORK)
    zones = collections.defaultdict(lambda: [0, 0])
    payloads = collections.defaultdict(lambda: collections.defaultdict(list))
    for (cls, name, zone, payload, _), v in zip(rows, out):
        refused = v["verdict"] == "deny"
        zones[(cls, zone)][0] += refused
        zones[(cls, zone)][1] += 1
        payloads[cls][name].append(refused)
        if misses and not refused:
            print("missed", cls, name, zone, json.dumps(payload)[:160])
    print("class     payloads refused in every zone   in some zone   by zone")
    total = [0, 0, 0]
    for cls in sorted(payloads):
        got = payloads[cls].values()
        every, some, n = sum(all(g) for g in got), sum(any(g) for g in got), len(got)
        total = [total[0] + every, total[1] + some, total[2] + n]
        by_zone = " ".join(f"{z} {zones[(cls, z)][0]}/{zones[(cls, z)][1]}"
                           for z in ZONES if (cls, z) in zones)
        print(f"{cls:8} {every:4} / {n:4} {100 * every / n:6.1f} %   {some:4} / {n:4}   {by_zone}")
    every, some, n = total
    print(f"{'all':8} {every:4} / {n:4} {100 * every / n:6.1f} %   {some:4} / {n:4}")
    cells = sum(z[0] for z in zones.values()), sum(z[1] for z in zones.values())
    print(f"requests refused: {cells[0]} / {cells[1]} ({100 * cells[0] / cells[1]:.1f} %)")


if __name__ == "__main__":
    main()
