#!/usr/bin/env python3
"""GoTestWAF's test cases through `lambda-guard scan`, as the requests GoTestWAF builds.

    python3 scripts/gotestwaf.py CHECKOUT [--misses]

CHECKOUT is a clone of https://github.com/wallarm/gotestwaf (MIT); its `testcases/` are read.
Each payload is encoded by each of its set's encoders (Plain, URL, Base64Flat, …) and placed by
each of its placeholders as GoTestWAF places it (a query parameter, a path segment, a header,
the User-Agent, a JSON body or member, a form, a multipart form, a SOAP or XML body, a raw
request), as an API Gateway HTTP API event. gRPC and GraphQL placeholders have no Lambda HTTP
shape and are left out. Attack sets count refusals; `false-pos/` counts what passes.

PyYAML is installed from PyPI into target/gotestwaf/venv (GoTestWAF's YAML escapes `\\'`, which
PyYAML refuses; those lines are unescaped first). Needs the CLI built (`cargo build --release -p
lambda-guard-cli`); GUARD_TMP_DIR defaults to a private directory under target/.
"""
import base64
import collections
import json
import os
import pathlib
import subprocess
import sys
import urllib.parse

from guard_scan import scan

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "gotestwaf"


def yaml_loader():
    venv = WORK / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "pyyaml"], check=True)
    if os.environ.get("GOTESTWAF_VENV") != str(venv):
        # Run again inside the venv, where PyYAML is.
        os.execve(str(python), [str(python), *sys.argv], dict(os.environ, GOTESTWAF_VENV=str(venv)))
    import yaml
    return yaml.safe_load


def js_unicode(s: str) -> str:
    b = s.encode("utf-16-be")
    return "".join("\\u%02x%02x" % (b[i], b[i + 1]) for i in range(0, len(b), 2))


def xml_entity(s: str) -> str:
    # Go's xml.Encoder on a string: `<string>` and its escapes.
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;"),
                 ("\t", "&#x9;"), ("\n", "&#xA;"), ("\r", "&#xD;")):
        s = s.replace(a, b)
    return "<string>" + s + "</string>"


ENCODERS = {
    "Plain": lambda s: s,
    "URL": lambda s: urllib.parse.quote(s, safe="!$&'()*+,;=:@"),  # Go's url.PathEscape
    "Base64": lambda s: base64.b64encode(s.encode()).decode(),
    "Base64Flat": lambda s: base64.b64encode(s.encode()).decode().replace("=", ""),
    "JSUnicode": js_unicode,
    "XMLEntity": xml_entity,
}

SOAP = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
	xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
	<soapenv:Body>
		<getAdUnitsByStatement xmlns="https://www.google.com/apis/ads/publisher/v202002">
			<filterStatement>
				<{0}>{1}</{0}>
			</filterStatement>
		</getAdUnitsByStatement>
	</soapenv:Body>
</soapenv:Envelope>"""

NAME = "a1b2c3d4"  # GoTestWAF's random parameter and header names


def event(method="GET", path="/", query="", headers=None, body=None, ctype=None) -> dict:
    h = {"host": "app.example.com", "user-agent": "GoTestWAF", "accept": "*/*"}
    if ctype:
        h["content-type"] = ctype
    h.update(headers or {})
    e = {"version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
         "headers": h, "isBase64Encoded": False,
         "requestContext": {"http": {"method": method, "path": urllib.parse.unquote(path),
                                     "sourceIp": "198.51.100.1", "userAgent": h["user-agent"]},
                            "stage": "$default", "requestId": "r"}}
    if query:
        # API Gateway decodes `%XX` but keeps `+` in queryStringParameters.
        pairs = urllib.parse.parse_qsl(query.replace("+", "%2B"), keep_blank_values=True)
        e["queryStringParameters"] = dict(pairs)
    if body is not None:
        e["body"] = body
    return e


def place(placeholder, p: str):
    if isinstance(placeholder, dict):
        if "RawRequest" not in placeholder:
            return None  # gRPC, GraphQL
        r = placeholder["RawRequest"]
        headers = {k.lower(): v for k, v in (r.get("headers") or {}).items()}
        # The test labels a plain body gzip; the request it means is the plain one.
        headers.pop("content-encoding", None)
        body = (r.get("body") or "").replace("{{payload}}", p) or None
        return event(r.get("method", "GET"), r.get("path", "/").replace("{{payload}}", p),
                     headers=headers, body=body)
    if placeholder == "URLParam":
        # The Go client sends the URL as given, escaping what a URL cannot hold.
        return event(query=NAME + "=" + urllib.parse.quote(p, safe="%/?:@&=+$,;!~*'()#[]"))
    if placeholder == "URLPath":
        return event(path="/" + urllib.parse.quote(p, safe="%/:@&=+$,;!~*'()"))
    if placeholder == "Header":
        return event(headers={"x-" + NAME: p})
    if placeholder == "UserAgent":
        return event(headers={"user-agent": p})
    if placeholder == "JSONBody":
        return event("POST", body=p, ctype="application/json")
    if placeholder == "JSONRequest":
        body = '{"test": true, "%s": "%s"}' % (NAME, js_unicode(p))
        return event("POST", body=body, ctype="application/json")
    if placeholder == "HTMLForm":
        return event("POST", body=NAME + "=" + p, ctype="application/x-www-form-urlencoded")
    if placeholder == "HTMLMultipartForm":
        b = "----gotestwaf" + NAME
        body = f'--{b}\r\nContent-Disposition: form-data; name="{NAME}"\r\n\r\n{p}\r\n--{b}--\r\n'
        return event("POST", body=body, ctype="multipart/form-data; boundary=" + b)
    if placeholder == "RequestBody":
        return event("POST", body=p)
    if placeholder == "SOAPBody":
        return event("POST", body=SOAP.format("ab" + NAME, xml_entity(p)), ctype="text/xml",
                     headers={"soapaction": '"urn:x"'})
    if placeholder == "XMLBody":
        return event("POST", body=p, ctype="application/xml")
    return None  # gRPC, GraphQL


def cases(root: pathlib.Path, load):
    for f in sorted(root.glob("testcases/**/*.yml")):
        text = "\n".join(l.replace("\\'", "'") if l.lstrip().startswith('- "') else l
                         for l in f.read_text().split("\n"))
        t = load(text)
        name = str(f.relative_to(root / "testcases"))[:-4]
        for payload in t["payload"]:
            for enc in t["encoder"]:
                for ph in t["placeholder"]:
                    e = place(ph, ENCODERS[enc](str(payload)))
                    if e is not None:
                        ph_name = ph if isinstance(ph, str) else next(iter(ph))
                        yield name, enc, ph_name, str(payload), e


def main():
    args = [a for a in sys.argv[1:] if a != "--misses"]
    if len(args) != 1 or not (pathlib.Path(args[0]) / "testcases").is_dir():
        sys.exit(__doc__)
    misses = "--misses" in sys.argv
    load = yaml_loader()
    rows = list(cases(pathlib.Path(args[0]), load))
    out = scan([r[4] for r in rows], WORK)
    tally = {k: collections.defaultdict(lambda: [0, 0]) for k in ("set", "encoder", "placeholder")}
    for (name, enc, ph, payload, _), v in zip(rows, out):
        benign = name.startswith("false-pos")
        right = (v["verdict"] == "deny") != benign
        tally["set"][name][0] += right
        tally["set"][name][1] += 1
        if not benign:
            for k, key in (("encoder", enc), ("placeholder", ph), ("set", "all attacks")):
                tally[k][key][0] += right
                tally[k][key][1] += 1
        if misses and not right:
            rules = ",".join(sorted({f["rule"] for f in v.get("findings", [])}))
            print("false positive" if benign else "missed", name, enc, ph, json.dumps(payload)[:160],
                  rules)
    for k, rows_k in tally.items():
        print(f"by {k} (attacks refused; false-pos/: passed)")
        for key in sorted(rows_k, key=lambda x: (x == "all attacks", x)):
            right, n = rows_k[key]
            print(f"  {key:40} {right:5} / {n:5}  {100 * right / n:6.2f} %")


if __name__ == "__main__":
    main()
