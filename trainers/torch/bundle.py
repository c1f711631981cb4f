"""Reading a `vocabkd export-run` bundle (layout: src/distill/bundle.ts): the manifest checked whole (format, version,
every file's size and sha256) before anything is used, then .bin files viewed in place through mmap."""
from __future__ import annotations

import hashlib
import json
import mmap
import os
import struct

import numpy as np

FORMAT = "vocabkd-torch-bundle"
VERSION = 2  # 2: the held-out split in shards (heldoutShards); this trainer does not read it


class BundleError(Exception):
    """A bundle that cannot be used: missing or damaged file (named), another format or version."""


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(folder: str, verify: bool = True) -> dict:
    path = os.path.join(folder, "manifest.json")
    if not os.path.isfile(path):
        raise BundleError(f"{folder}: no manifest.json (not a vocabkd export-run bundle)")
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    if m.get("format") != FORMAT:
        raise BundleError(f"{path}: format {m.get('format')!r}, expected {FORMAT!r}")
    if m.get("version") != VERSION:
        raise BundleError(f"{path}: bundle version {m.get('version')}, this trainer reads version {VERSION}: export the run again with this workbench")
    if verify:
        for name, e in m["files"].items():
            p = os.path.join(folder, name)
            if not os.path.isfile(p):
                raise BundleError(f"{name}: listed in manifest.json but missing from the bundle")
            if os.path.getsize(p) != e["bytes"]:
                raise BundleError(f"{name}: {os.path.getsize(p)} bytes, the manifest says {e['bytes']} (truncated or replaced)")
            if sha256_file(p) != e["sha256"]:
                raise BundleError(f"{name}: sha256 does not match the manifest (damaged or edited)")
    with open(os.path.join(folder, "recipe.json"), encoding="utf-8") as f:
        m["recipe"] = json.load(f)
    return m


class BinFile:
    """One .bin file mapped read-only: `meta` and `arrays` {name: numpy view} (int32 / float64, little-endian)."""

    def __init__(self, path: str):
        self.path = path
        with open(path, "rb") as f:
            self._mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        (n,) = struct.unpack("<Q", self._mm[:8])
        if 8 + n > len(self._mm):
            raise BundleError(f"{path}: the header length {n} runs past the file")
        header = json.loads(bytes(self._mm[8 : 8 + n]).decode("utf-8"))
        self.meta = header["meta"]
        self.arrays = {}
        for name, e in header["arrays"].items():
            dtype = np.dtype("<f8") if e["dtype"] == "float64" else np.dtype("<i4")
            start = 8 + n + e["offset"]
            if start + e["length"] * dtype.itemsize > len(self._mm):
                raise BundleError(f"{path}: array {name} runs past the end of the file")
            self.arrays[name] = np.frombuffer(self._mm, dtype=dtype, count=e["length"], offset=start)

    def row(self, name: str, i: int) -> np.ndarray:
        """Row i of the ragged array `name` (values between name.offsets[i] and [i + 1])."""
        o = self.arrays[f"{name}.offsets"]
        return self.arrays[name][o[i] : o[i + 1]]

    def rows(self, name: str) -> int:
        return len(self.arrays[f"{name}.offsets"]) - 1


class Examples:
    """The training sequences of the bundle's shards: example g = (shard, row), in shard order; read lazily."""

    def __init__(self, folder: str, manifest: dict):
        self.method = manifest["method"]
        self.shards = [BinFile(os.path.join(folder, s["file"])) for s in manifest["shards"]]
        for s, b in zip(manifest["shards"], self.shards):
            if b.rows("student") != s["sequences"]:
                raise BundleError(f"{s['file']}: {b.rows('student')} sequences, the manifest says {s['sequences']}")
        self.starts = np.cumsum([0] + [b.rows("student") for b in self.shards])  # example g lives in shard s: starts[s] <= g < starts[s + 1]

    def __len__(self) -> int:
        return int(self.starts[-1])

    def get(self, g: int) -> dict:
        s = int(np.searchsorted(self.starts, g, side="right")) - 1
        r = g - int(self.starts[s])
        b = self.shards[s]
        ex = {"student": b.row("student", r)}
        if self.method != "mlm-only":
            ex["teacher"] = b.row("teacher", r)
        if self.method in ("reduce", "reduce-map"):
            ex["t2s"] = b.row("t2s", r)
            ex["groups"] = b.row("groups", r)
        if self.method == "match":
            ex["match_t"] = b.row("matchTeacher", r)
            ex["match_s"] = b.row("matchStudent", r)
        return ex
