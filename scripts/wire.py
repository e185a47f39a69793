"""Binary wire encodings the measuring scripts build payloads in: protobuf varints and fields,
MessagePack and CBOR values."""
import struct


def varint(n: int) -> bytes:
    """A base-128 varint, as protobuf writes lengths and integers."""
    out = b""
    while True:
        out += bytes([n & 0x7F | (0x80 if n > 0x7F else 0)])
        n >>= 7
        if not n:
            return out


def field(key: int, value: bytes) -> bytes:
    """A length-delimited protobuf field: its key byte (`number << 3 | 2`), length, bytes."""
    return bytes([key]) + varint(len(value)) + value


def msgpack(v) -> bytes:
    """A value in MessagePack (maps, arrays, strings, bytes, integers, floats, booleans, nil),
    each in its shortest form, as the format's encoders write it."""
    if v is None or isinstance(v, bool):
        return {None: b"\xc0", False: b"\xc2", True: b"\xc3"}[v]
    if isinstance(v, int):
        if -32 <= v < 128:
            return struct.pack("b", v) if v < 0 else bytes([v])
        for tag, fmt in ((0xcc, ">B"), (0xcd, ">H"), (0xce, ">I"), (0xcf, ">Q")):
            if v >= 0 and v < 1 << (8 * struct.calcsize(fmt)):
                return bytes([tag]) + struct.pack(fmt, v)
        return b"\xd3" + struct.pack(">q", v)
    if isinstance(v, float):
        return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, str):
        b = v.encode()
        head = bytes([0xA0 | len(b)]) if len(b) < 32 else _sized(b, 0xD9)
        return head + b
    if isinstance(v, bytes):
        return _sized(v, 0xC4) + v
    if isinstance(v, list):
        head = bytes([0x90 | len(v)]) if len(v) < 16 else b"\xdc" + len(v).to_bytes(2, "big")
        return head + b"".join(msgpack(x) for x in v)
    head = bytes([0x80 | len(v)]) if len(v) < 16 else b"\xde" + len(v).to_bytes(2, "big")
    return head + b"".join(msgpack(k) + msgpack(x) for k, x in v.items())


def _sized(b: bytes, tag8: int) -> bytes:
    """The header of a string (`tag8` 0xd9) or bytes (0xc4) of this length: 8, 16 or 32 bits."""
    for i, width in enumerate((1, 2, 4)):
        if len(b) < 1 << (8 * width):
            return bytes([tag8 + i]) + len(b).to_bytes(width, "big")
    raise ValueError("too long")


def cbor(v) -> bytes:
    """A value in CBOR (RFC 8949), definite lengths, each argument in its shortest form."""

    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([major << 5 | n])
        for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
            if n < 1 << (8 * width):
                return bytes([major << 5 | info]) + n.to_bytes(width, "big")
        raise ValueError("too large")
    if v is None or isinstance(v, bool):
        return {None: b"\xf6", False: b"\xf4", True: b"\xf5"}[v]
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, str):
        return head(3, len(v.encode())) + v.encode()
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    return head(5, len(v)) + b"".join(cbor(k) + cbor(x) for k, x in v.items())
