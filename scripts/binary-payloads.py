#!/usr/bin/env python3
"""Binary payloads of no known file format, in every carrier that delivers bytes: how many
benign ones `lambda-guard scan` refuses (cipher text, text compressed with no header, ten of
each kind and size from 256 B to 256 KB), and how
many attacks it still finds in binary (each attack of the placement sweep as a string field of
a protobuf record, beside a field of cipher text, between NULs inside cipher text, in a
JSON record of a Kinesis Producer Library aggregate, and as a MessagePack or CBOR string
beside a byte field of cipher text; benign: such aggregates of JSON orders, and MessagePack and
CBOR telemetry).

    python3 scripts/binary-payloads.py

Carriers: an `application/octet-stream` HTTP body, a multipart file part named `x.bin`, Kinesis
data, an SQS binary message attribute and a Kafka record's value (binary in base64 that no
trigger declares is read for pickle imports only, so it is not a carrier here). Deterministic: seeded bytes, and the
repository's own documentation as the text that is compressed. GUARD_CLI names another build
to compare (`guard_scan.py`).
"""
import base64
import collections
import importlib.util
import json
import lzma
import pathlib
import random
import tempfile
import zlib

from guard_scan import scan
from wire import cbor, field, msgpack, varint

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("sweep", ROOT / "scripts" / "placement-sweep.py")
_sweep = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sweep)
ATTACKS = [(cls, p) for cls, ps in _sweep.ATTACKS.items() for p in ps]
SIZES = [256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10]
PER_SIZE = 10


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def carriers(data: bytes) -> dict:
    http = {"version": "2.0", "routeKey": "POST /x", "rawPath": "/x", "rawQueryString": "",
            "requestContext": {"http": {"method": "POST", "path": "/x",
                                        "sourceIp": "198.51.100.1"},
                               "stage": "$default", "requestId": "r"},
            "isBase64Encoded": True}
    part = (b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="x.bin"\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n--XyZ--\r\n")
    rec = lambda source, **f: {"Records": [dict({"eventSource": source,  # noqa: E731
                                                 "awsRegion": "us-east-1"}, **f)]}
    return {
        "octet-stream body": dict(http, headers={"content-type": "application/octet-stream"},
                                  body=b64(data)),
        "multipart file": dict(http, headers={"content-type":
                                              "multipart/form-data; boundary=XyZ"},
                               body=b64(part)),
        "Kinesis data": rec("aws:kinesis", kinesis={"partitionKey": "1", "data": b64(data),
                                                    "sequenceNumber": "1"}),
        "SQS binary attribute": rec("aws:sqs", messageId="m", body="ok", messageAttributes={
            "blob": {"binaryValue": b64(data), "dataType": "Binary"}}),
        "Kafka value": {"eventSource": "aws:kafka", "eventSourceArn":
                        "arn:aws:kafka:us-east-1:1:cluster/c/x", "records": {"t-0": [{
                            "topic": "t", "partition": 0, "offset": 1, "timestamp": 1,
                            "timestampType": "CREATE_TIME", "value": b64(data), "headers": []}]}},
    }


def docs() -> bytes:
    text = b"".join(p.read_bytes() for p in sorted((ROOT / "docs").glob("*.md")))
    return text + (ROOT / "README.md").read_bytes()


def benign(rng: random.Random):
    """PER_SIZE payloads of each kind and size: `(kind, size, bytes)`."""
    text = docs()
    for n in SIZES:
        for _ in range(PER_SIZE):
            start = rng.randrange(0, max(1, len(text) - 4 * n))
            plain = text[start:start + 4 * n]
            yield "cipher text", n, rng.randbytes(n)
            raw = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: no header
            yield "raw deflate", n, (raw.compress(plain) + raw.flush())[:n]
            yield "raw LZMA", n, lzma.compress(plain, format=lzma.FORMAT_RAW,
                                               filters=[{"id": lzma.FILTER_LZMA2}])[:n]
    for _ in range(PER_SIZE):
        yield "KPL aggregate", 20, kpl([order(rng) for _ in range(20)], rng)
    # Telemetry as MessagePack: small integers are printable bytes beside the strings.
    for _ in range(PER_SIZE * 5):
        yield "MessagePack", 20, msgpack([reading(rng) for _ in range(20)])
    for _ in range(PER_SIZE * 5):
        yield "CBOR", 20, cbor([reading(rng) for _ in range(20)])


def reading(rng: random.Random) -> dict:
    return {"id": rng.randrange(10**6), "site": rng.choice(["D'Arcy St", "Nørrebro", "@home"]),
            "t": rng.randrange(-30, 120), "h": rng.randrange(128), "ok": rng.random() < 0.5,
            "v": rng.randrange(10**4) / 100, "tags": [rng.choice(["a", "b1", "north"])] * 2}


def kpl(datas: list, rng: random.Random) -> bytes:
    """A Kinesis Producer Library aggregate: magic, AggregatedRecord, MD5 (not checked here)."""
    msg = field(0x0A, b"pk-%d" % rng.randrange(1000))
    for d in datas:
        msg += field(0x1A, b"\x08\x00" + field(0x1A, d))
    return b"\xf3\x89\x9a\xc2" + msg + rng.randbytes(16)


def order(rng: random.Random, note: str = "") -> bytes:
    return json.dumps({"id": rng.randrange(10**6), "customer": rng.choice(
        ["Ana O'Neil", "Zoë Müller", "J. Smith & Sons"]), "total": rng.randrange(10**4) / 100,
        "note": note or rng.choice(["Leave at the door", "Gift wrap, please!", "Call 555-0100"])
    }).encode()


def record(attack: str, rng: random.Random) -> bytes:
    """A protobuf-like record: a 16-byte id, the attack as a string field, a number."""
    text = attack.encode()
    return (field(0x0A, rng.randbytes(16)) + field(0x12, text)
            + b"\x18" + varint(rng.randrange(1 << 20)))


def beside_blob(attack: str, n: int, rng: random.Random) -> bytes:
    """A protobuf message: `n` bytes of cipher text in a bytes field, the attack as a string."""
    text = attack.encode()
    return field(0x0A, rng.randbytes(n)) + field(0x12, text)


def padded(attack: str, n: int, rng: random.Random) -> bytes:
    """The attack between two NULs inside `n` bytes of cipher text."""
    blob = bytearray(rng.randbytes(n))
    text = b"\0" + attack.encode() + b"\0"
    at = rng.randrange(0, n - len(text))
    blob[at:at + len(text)] = text
    return bytes(blob)


def main(work: pathlib.Path) -> None:
    rng = random.Random(2026)
    cases = []  # (group, label, carrier, event)
    for kind, n, data in benign(rng):
        size = f"of {n} records" if kind in ("KPL aggregate", "MessagePack", "CBOR") else (
            f"{n >> 10 or n}{'K' if n >= 1024 else ' B'}")
        for carrier, event in carriers(data).items():
            cases.append(("benign", f"{kind} {size}", carrier, event))
    for cls, attack in ATTACKS:
        for carrier, event in carriers(record(attack, rng) * 3).items():
            cases.append(("attack", "protobuf-like record", carrier, event))
        for carrier, event in carriers(kpl([order(rng), order(rng, attack)], rng)).items():
            cases.append(("attack", "KPL aggregate, JSON", carrier, event))
        for n in (1 << 10, 64 << 10):
            for carrier, event in carriers(beside_blob(attack, n, rng)).items():
                cases.append(("attack", f"protobuf, {n >> 10} KB blob", carrier, event))
            for carrier, event in carriers(padded(attack, n, rng)).items():
                cases.append(("attack", f"in {n >> 10} KB of cipher text", carrier, event))
            packed = msgpack({"blob": rng.randbytes(n), "note": attack, "n": 39})
            for carrier, event in carriers(packed).items():
                cases.append(("attack", f"MessagePack, {n >> 10} KB bin", carrier, event))
            packed = cbor({"blob": rng.randbytes(n), "note": attack, "n": 39})
            for carrier, event in carriers(packed).items():
                cases.append(("attack", f"CBOR, {n >> 10} KB bytes", carrier, event))
    verdicts = scan([c[3] for c in cases], work)
    table = collections.defaultdict(lambda: [0, 0])
    rules = collections.Counter()
    missed = collections.defaultdict(list)
    for (group, label, carrier, _), v in zip(cases, verdicts):
        refused = v.get("verdict") == "deny"
        table[(group, label)][0] += refused
        table[(group, label)][1] += 1
        if group == "benign" and refused:
            rules.update(f["rule"] for f in v.get("findings", []))
    for (group, label, carrier, _), v in zip(cases, verdicts):
        if group == "attack" and v.get("verdict") != "deny":
            missed[label].append(carrier)
    print(f"benign binary ({PER_SIZE} payloads of each kind and size, each in the five carriers;"
          " refused / events):")
    for (group, label), (r, t) in table.items():
        if group == "benign":
            print(f"  {label:22} {r:3} / {t}")
    if rules:
        print("  rules:", ", ".join(f"{k} {c}" for k, c in rules.most_common()))
    print("attacks in binary (refused / events):")
    for (group, label), (r, t) in table.items():
        if group == "attack":
            print(f"  {label:22} {r:3} / {t}")
    for label, where in missed.items():
        print(f"  missed {label}: {len(where)} ({', '.join(sorted(set(where)))})")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(dir=ROOT / "target") as work:
        main(pathlib.Path(work))
