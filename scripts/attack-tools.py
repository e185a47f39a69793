#!/usr/bin/env python3
"""Detection of what real attack tools send: runs a tool against a loopback target that logs
every parameter value it receives, then puts each distinct value through `lambda-guard scan`.

    python3 scripts/attack-tools.py sqlmap  [-- EXTRA SQLMAP ARGS]   # sqlmap from PyPI
    python3 scripts/attack-tools.py command -- TOOL ARGS… {url}       # any tool; {url} is filled in
    python3 scripts/attack-tools.py values  FILE.jsonl                # values logged before

`sqlmap` installs sqlmap from PyPI into target/attack-tools/venv and runs it at `--level 5
--risk 3` (extra arguments, such as `--tamper=…`, are appended). `command` runs any other tool
(commix, XSStrike, SSTImap from their repositories) with `{url}` replaced by the target's URL,
whose query parameter is `q`. The target answers every request with the same page, and reflects
the value into HTML (text, attribute, script and comment contexts by path: `/text`, `/attr`,
`/script`, `/comment`), so tools go through their whole payload lists. It listens on 127.0.0.1
only and stops by itself after an hour.

Each distinct value (pure numbers and words left out: baselines, random values, canaries) is
placed three ways:
an API Gateway REST query parameter, an SQS message body, and a field of a JSON body. Values are
split into halves by sha1(value): tune the detectors on the first half's misses
(`--misses`), and report the second, whose misses stay unread. Needs the CLI built
(`cargo build --release -p lambda-guard-cli`); GUARD_TMP_DIR defaults to a private directory
under target/, never the machine's /tmp.
"""
import hashlib
import http.server
import json
import os
import pathlib
import subprocess
import sys
import threading
import urllib.parse

from guard_scan import scan

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "attack-tools"
BASELINE = "1"


def serve(log: pathlib.Path) -> tuple[http.server.ThreadingHTTPServer, threading.Timer, str]:
    lock = threading.Lock()
    out = log.open("a")

    class Target(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def respond(self, query: str, body: str = ""):
            values = []
            for raw in (query, body):
                for name, vs in urllib.parse.parse_qs(raw, keep_blank_values=True).items():
                    for v in vs:
                        values.append(v)
                        with lock:
                            out.write(json.dumps({"param": name, "value": v}) + "\n")
                            out.flush()
            v = values[0] if values else ""
            context = urllib.parse.urlsplit(self.path).path.strip("/")
            page = {
                "attr": f'<input value="{v}"><a href=\'{v}\'>x</a>',
                "script": f"<script>var q = \"{v}\"; var r = '{v}';</script>",
                "comment": f"<!-- {v} --><textarea>{v}</textarea><title>{v}</title>",
            }.get(context, f"<p>{v}</p><div>Results for {v}</div>")
            data = f"<html><body>{page}</body></html>".encode("utf-8", "replace")
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self.respond(urllib.parse.urlsplit(self.path).query)

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace")
            self.respond(urllib.parse.urlsplit(self.path).query, body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Target)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # The hour's limit, cancelled when the tool ends (a pending timer would keep Python alive).
    limit = threading.Timer(3600, server.shutdown)
    limit.daemon = True
    limit.start()
    return server, limit, f"http://127.0.0.1:{server.server_address[1]}"


def run_tool(argv: list[str], log: pathlib.Path):
    server, limit, base = serve(log)
    url = f"{base}/text?q={BASELINE}"
    env = dict(os.environ, HOME=str(WORK / "home"))
    (WORK / "home").mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run([a.replace("{url}", url) for a in argv], env=env, stdin=subprocess.DEVNULL,
                       stdout=(WORK / "tool.log").open("w"), stderr=subprocess.STDOUT,
                       timeout=3000, check=False)
    finally:
        limit.cancel()
        server.shutdown()


def sqlmap(extra: list[str]) -> list[str]:
    venv = WORK / "venv"
    if not (venv / "bin" / "sqlmap").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "sqlmap"], check=True)
    return [str(venv / "bin" / "sqlmap"), "-u", "{url}", "-p", "q", "--batch", "--level=5",
            "--risk=3", "--threads=4", "--disable-coloring", "--flush-session", *extra]


def query_event(v: str) -> dict:
    return {"resource": "/item", "path": "/item", "httpMethod": "GET",
            "headers": {"accept": "text/html"}, "queryStringParameters": {"q": v},
            "multiValueQueryStringParameters": {"q": [v]}, "pathParameters": None,
            "requestContext": {"resourcePath": "/item", "httpMethod": "GET", "path": "/prod/item",
                               "stage": "prod", "requestId": "r",
                               "identity": {"sourceIp": "198.51.100.7"}},
            "body": None, "isBase64Encoded": False}


def sqs_event(v: str) -> dict:
    return {"Records": [{"messageId": "m", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:1:q", "body": v}]}


def json_event(v: str) -> dict:
    e = query_event(BASELINE)
    e.update(httpMethod="POST", queryStringParameters=None, multiValueQueryStringParameters=None,
             headers={"content-type": "application/json"}, body=json.dumps({"q": v}))
    return e


def measure(values: list[str], misses: bool):
    for name, event in (("query", query_event), ("sqs", sqs_event), ("json", json_event)):
        out = scan([event(v) for v in values], WORK)
        tally = {"tune": [0, 0], "holdout": [0, 0]}
        for v, verdict in zip(values, out):
            half = "tune" if int(hashlib.sha1(v.encode()).hexdigest()[0], 16) % 2 == 0 else "holdout"
            refused = verdict["verdict"] == "deny"
            tally[half][0] += 1
            tally[half][1] += refused
            if misses and name == "query" and half == "tune" and not refused:
                print("  missed", json.dumps(v))
        print(name.ljust(6), "  ".join(
            f"{h} {r}/{n} ({100 * r / max(n, 1):.2f} %)" for h, (n, r) in tally.items()))


def main():
    args = sys.argv[1:]
    if not args or args[0] not in ("sqlmap", "command", "values"):
        sys.exit(__doc__)
    misses = "--misses" in args
    args = [a for a in args if a != "--misses"]
    rest = args[args.index("--") + 1:] if "--" in args else []
    WORK.mkdir(parents=True, exist_ok=True)
    if args[0] == "values":
        log = pathlib.Path(args[1])
    else:
        log = WORK / f"{args[0]}.jsonl"
        log.unlink(missing_ok=True)
        run_tool(sqlmap(rest) if args[0] == "sqlmap" else rest, log)
    seen, values = set(), []
    for line in log.open():
        v = json.loads(line)["value"]
        # Pure numbers and words are a tool's baseline, random values and reflection canaries.
        if v in seen or v.lstrip("-").isalnum():
            continue
        seen.add(v)
        values.append(v)
    print(f"{len(values)} distinct values from {log}")
    measure(values, misses)


if __name__ == "__main__":
    main()
