"""Binary wire encodings the measuring scripts build payloads in: protobuf varints and fields."""


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
