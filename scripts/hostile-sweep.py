#!/usr/bin/env python3
"""Looks for super-linear inspection: each hostile unit repeated to N/4 and N bytes, placed in
several parts of an event, timed through `lambda-guard scan` (process start included).

    cargo build --release -p lambda-guard-cli
    python3 scripts/hostile-sweep.py [--size 262144] [--contexts sqs,xml,form,cookie,query,key,path,s3key,mail,binary,protobuf,json]
    python3 scripts/hostile-sweep.py --structure [--size 1048576]

Prints, per context, the units whose N-byte event took longest, with the N/4 time beside it: a
linear detector costs about 4x, a quadratic one 16x. The eighth session found four quadratic
reads this way (README, "Hostile input"). Scratch files and the guard's tmp directory live
under target/hostile-sweep/; nothing is written elsewhere.
"""

import argparse
import base64
import json
import os
import subprocess
import time

from wire import field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "target", "hostile-sweep")
GUARD = os.path.join(ROOT, "target", "release", "lambda-guard")

# Openers, operators and markers of every detector, the seventh session's syntax and the
# ninth session's (XPath, UNC paths, here-strings, MySQL `1.e`, octal escapes), and the
# sixteenth's exemptions (the thirty-fourth's breakouts and NTFS streams), each of which let a repeated unit be read past (stack frames,
# thread-dump labels, raw-message headers, quoted-printable DOCTYPEs).
UNITS = r"""top.alert|self[|window[(|[].constructor|function(|import(|`|${|<svg |onx=|javascript:|&#x
|\u00|url(|expression(|'or'|/*!|--|@@|[a]|{fn |0x|1 and 1 between |char(|;set @|$(|;|${x:0:|[a]::|&'
|iex |powershell -e |%0a|{a,b}|http://a@|//@|\@|http://[::|.nip.io|..\|%2e%2e%2f|....//|{{|{%|<%=|#{
|${{|{"$ne":|[$ne]=|%0d%0a|__proto__[|constructor[prototype]|<!ENTITY |%x;|<!DOCTYPE |<xsl:|=|+
|@SUM(|=cmd||<?php |$_GET[|eval(|system(|O:8:"|__import__(|PHPSESSID=|; jsessionid=|(|)(|(cn=
|=HYPERLINK(|a.b(|'+'|"+"|alert`|.call(|Function(|setTimeout(|<a href=|<!--|]]>|<![CDATA[|&lt;
|%u00|\x3c|data:|file:|gopher:|169.254.|[::ffff:|@|..;/|/etc/|C:\|%c0%af|' or '|union select
|sleep(|benchmark(|waitfor delay |$where|$regex|{"__proto__":|ldap://|${jndi:|${lower:|T(|#set(
|{{7*|*{|<#assign|{php}|<script|</script|<img |srcdoc=|xlink:href=|formaction=|&{|!{|(&|,alert
|a=alert,|\n|\r|child::|count(/|' or name(|']|/text()|\\a.b\|\\.\|<<<"|1.e(
|ping -c 5 |-moz-binding:url(|\141|<svg xmlns="http://www.w3.org/2000/svg" >
|/etc/passwd:1)|/var/task/x.js:1)|java.lang.|java.lang.Thread.State: |File "/var/task/a.py
|Received: x|<!DOCTYPE a PUBLIC =22|<meta charset=utf-8>|<head>|x@@y|=?a?b?x|=?u?B?aGk=?=|=?u?Q?=3C
|extractvalue(1 |';x(|);//|::$data|x:$bitmap"""


def units():
    out = []
    for u in UNITS.replace("\n|", "|").split("|"):
        u = {"\\n": "\n", "\\r": "\r"}.get(u, u)
        if u and u not in out:
            out.append(u)
    return out


def http(body=None, content_type=None, headers=None, query=""):
    event = {
        "version": "2.0",
        "routeKey": "POST /x",
        "rawPath": "/x",
        "rawQueryString": query,
        "headers": {"host": "a.example", **(headers or {})},
        "requestContext": {
            "http": {"method": "POST", "path": "/x", "sourceIp": "192.0.2.1"},
            "accountId": "1",
            "apiId": "a",
            "stage": "$default",
            "requestId": "r",
        },
        "isBase64Encoded": False,
    }
    if body is not None:
        event["body"] = body
    if content_type:
        event["headers"]["content-type"] = content_type
    return event


def sqs(body):
    return {"Records": [{"messageId": "m", "eventSource": "aws:sqs", "body": body}]}


CONTEXTS = {
    # A `(` and `.` first and an `=` last make the value worth reading for most detectors.
    "sqs": lambda v: sqs("(x." + v + "="),
    "key": lambda v: sqs(json.dumps({v: 1})),
    "xml": lambda v: http(
        '<r><a x="' + v.replace('"', "&quot;") + '">' + v.replace("<", "&lt;") + "</a></r>",
        "application/xml",
    ),
    "form": lambda v: http("a=1&b=" + v, "application/x-www-form-urlencoded"),
    "cookie": lambda v: http(headers={"cookie": "s=" + v}),
    "query": lambda v: http(query="q=" + v),
    # Read whole, segment by segment, and percent-decoded (the twenty-fourth session).
    "path": lambda v: dict(http(), rawPath="/a/" + v + "/%7B" + v),
    "s3key": lambda v: {"Records": [{"eventSource": "aws:s3", "s3": {
        "bucket": {"name": "b"}, "object": {"key": "a/" + v + "/b", "size": 1}}}]},
    # An e-mail's header field, read as it is and with its encoded words decoded
    # (twenty-fifth session); SES through SNS.
    "mail": lambda v: {"Records": [{"EventSource": "aws:sns", "Sns": {"Type": "Notification",
        "MessageId": "m", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Message": json.dumps({
            "notificationType": "Received", "mail": {"source": "a@example.com"},
            "content": "From: a@example.com\r\nSubject: " + v.replace("\n", " ").replace("\r", " ")
            + "\r\n\r\nbody\r\n"})}}]},
    # Bytes of no known format (twenty-eighth session): printable runs, and the same units
    # as the string fields of one protobuf message, each walked as a string.
    "binary": lambda v: binary(b"\xff" + v.encode()),
    "protobuf": lambda v: binary(b"".join(field(0x0A, c.encode()) for c in v.split("\0"))),
    # A JSON body of many small members, the unit cut into keys and values of 16 characters
    # (twenty-ninth session: the walk's own parser, and the memo of values found clean).
    "json": lambda v: http(json.dumps([{p: [p, 1.5e3]} for p in pieces(v, 16)]),
                           "application/json"),
}


def pieces(v, n):
    return [v[i:i + n] for i in range(0, len(v), n)]


# JSON bodies built to strain the parse itself (`--structure`), each of about n bytes.
STRUCTURES = {
    "nested arrays": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "documents 126 deep": lambda n: "[" + ",".join(["[" * 126 + "1" + "]" * 126] * (n // 256)) + "]",
    "numbers with exponents": lambda n: "[" + ",".join(["1e5"] * (n // 4)) + "]",
    "300-digit numbers": lambda n: "[" + ",".join(["9" * 300] * (n // 301)) + "]",
    "escapes": lambda n: '["' + "\\u0041" * (n // 6) + '"]',
    "surrogate pairs": lambda n: '["' + "\\ud83d\\ude00" * (n // 12) + '"]',
    "empty members": lambda n: "{" + ",".join(f'"{i}":""' for i in range(n // 10)) + "}",
    "byte values": lambda n: "[" + ",".join(["65"] * (n // 3)) + "]",
    "repeated keys": lambda n: "{" + ",".join(['"a":"\' or 1=1--"'] * (n // 17)) + "}",
    "cut short": lambda n: "[" + ",".join(['{"a":"x"}'] * (n // 10)),
}


def binary(data):
    return dict(http(base64.b64encode(data).decode(), "application/octet-stream"),
                isBase64Encoded=True)


def timed(event):
    path = os.path.join(WORK, "event.jsonl")
    with open(path, "w") as f:
        f.write(json.dumps(event) + "\n")
    env = dict(os.environ, GUARD_TMP_DIR=os.path.join(WORK, "tmp"))
    start = time.perf_counter()
    subprocess.run([GUARD, "scan", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env, timeout=600, check=False)
    return time.perf_counter() - start


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--size", type=int, default=256 << 10, help="N, bytes of repeated unit")
    args.add_argument("--contexts", default=",".join(CONTEXTS))
    args.add_argument("--top", type=int, default=5)
    args.add_argument("--structure", action="store_true",
                      help="time the JSON bodies of STRUCTURES instead of the units")
    a = args.parse_args()
    if not os.access(GUARD, os.X_OK):
        raise SystemExit(f"{GUARD} missing: cargo build --release -p lambda-guard-cli")
    os.makedirs(os.path.join(WORK, "tmp"), exist_ok=True)
    if a.structure:
        print(f"JSON structure at {a.size} bytes (and at a quarter)")
        for name, make in STRUCTURES.items():
            small = timed(http(make(a.size // 4), "application/json"))
            large = timed(http(make(a.size), "application/json"))
            print(f"  {large * 1000:8.1f} ms  ({small * 1000:6.1f} ms)  {name}")
        return
    for name in a.contexts.split(","):
        make = CONTEXTS[name]
        rows = []
        for u in units():
            # A protobuf message holds the unit as many fields of 64 bytes or so, NUL-separated.
            piece = u * max(1, 64 // len(u)) + "\0" if name == "protobuf" else u
            small = timed(make(piece * (a.size // 4 // len(piece))))
            large = timed(make(piece * (a.size // len(piece))))
            rows.append((large, small, u))
        rows.sort(reverse=True)
        print(f"{name}: slowest of {len(rows)} units at {a.size} bytes (and at a quarter)")
        for large, small, u in rows[: a.top]:
            print(f"  {large * 1000:8.1f} ms  ({small * 1000:6.1f} ms)  {u!r}")


if __name__ == "__main__":
    main()
