"""A minimal safetensors writer and reader (no `safetensors` package needed).

Layout: 8-byte little-endian u64 header length N, then N bytes of UTF-8 JSON
{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}} padded with spaces to a multiple
of 8, then the raw little-endian tensor bytes, contiguous, in the order of the offsets (no holes, no overlaps).
"""
import json
import struct
import sys

import torch

DTYPES = {torch.float32: ("F32", 4), torch.float16: ("F16", 2), torch.bfloat16: ("BF16", 2), torch.int64: ("I64", 8)}
BY_NAME = {v[0]: (k, v[1]) for k, v in DTYPES.items()}
assert sys.byteorder == "little", "this writer stores native bytes and needs a little-endian machine"


def to_bytes(t: torch.Tensor) -> bytes:
    t = t.detach().contiguous().cpu()
    return t.view(-1).view(torch.uint8).numpy().tobytes()  # raw bytes of any dtype above (bf16 included)


def save_file(tensors: dict, path: str, metadata: dict | None = None) -> None:
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    # as the reference writer: by element size (largest first), then name, so every tensor is aligned to its size
    for name in sorted(tensors, key=lambda n: (-DTYPES[tensors[n].dtype][1], n)):
        t = tensors[name]
        dtype, size = DTYPES[t.dtype]
        data = to_bytes(t)
        assert len(data) == t.numel() * size
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)


def load_file(path: str):
    """(tensors, metadata) with strict checks: header inside the file, offsets contiguous and in range, sizes match."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"header length {n} runs past the file ({len(raw)} bytes)")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    body = memoryview(raw)[8 + n :]
    out, spans = {}, []
    for name, e in header.items():
        dtype, size = BY_NAME[e["dtype"]]
        b, end = e["data_offsets"]
        count = 1
        for d in e["shape"]:
            count *= d
        if not (0 <= b <= end <= len(body)) or end - b != count * size:
            raise ValueError(f"{name}: bad data_offsets {e['data_offsets']} for shape {e['shape']} {e['dtype']}")
        spans.append((b, end))
        out[name] = torch.frombuffer(bytearray(body[b:end]), dtype=torch.uint8).view(dtype).reshape(e["shape"]).clone()
    spans.sort()
    pos = 0
    for b, end in spans:
        if b != pos:
            raise ValueError("data_offsets overlap or leave gaps")
        pos = end
    if pos != len(body):
        raise ValueError(f"{len(body) - pos} trailing bytes after the last tensor")
    return out, meta
