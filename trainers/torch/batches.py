"""Batches from a bundle, as the engine's batcher builds them (src/distill/batches.ts, mlmSelect.ts): per rank an
endless, seeded stream; every epoch shuffles this rank's examples, groups them by student-length bucket, cuts batches
of exactly B and shuffles their order; each stream is padded to one of four bucket lengths. The student's own input
is MLM-masked (item 5: ⌈p·non-pad⌉ targets over the whole batch ∝ max(count, 1)^s, 80/10/10); the teacher and t2s
inputs never are (item 4), except for the shared-tokenizer methods (glmd, kd-full), which read the same corrupted input.
The random draws are numpy's, not the engine's mulberry32: the same distribution, not the same batches (the equivalence
test replays the engine's batches instead: `replay_batches`)."""
from __future__ import annotations

import json
import math

import numpy as np
import torch

SHARED = ("glmd", "kd-full")


def bucket_lengths(max_len: int) -> list[int]:
    return sorted({max(8, math.ceil(max_len * q / 4 / 8) * 8) for q in (1, 2, 3, 4)})


def pad_to(n: int, buckets: list[int]) -> int:
    return next((b for b in buckets if b >= n), n)


def pad_rows(rows: list, T: int, pad: int) -> tuple[np.ndarray, np.ndarray]:
    ids = np.full((len(rows), T), pad, dtype=np.int64)
    mask = np.zeros((len(rows), T), dtype=np.int64)
    for b, r in enumerate(rows):
        ids[b, : len(r)] = r
        mask[b, : len(r)] = 1
    return ids.reshape(-1), mask.reshape(-1)


def selection_weights(counts: np.ndarray, specials: list[int], power: float) -> np.ndarray:
    w = np.maximum(counts, 1.0) ** power
    w[specials] = 0.0
    return w


def select_mlm(ids, mask, weights, mask_prob, mask_id, first_random, rng):
    """Item 5: Efraimidis–Spirakis keys −ln(u)/w, the n smallest win; 80 % [MASK], 10 % kept, 10 % random."""
    cand = np.nonzero((mask == 1) & (weights[ids] > 0))[0]
    keys = -np.log(1.0 - rng.random(len(cand))) / weights[ids[cand]]
    n = min(math.ceil(mask_prob * int(mask.sum())), len(cand))
    pos = np.sort(cand[np.argsort(keys, kind="stable")[:n]])
    inputs, labels = ids.copy(), ids[pos].copy()
    r = rng.random(n)
    inputs[pos[r < 0.8]] = mask_id
    rnd = pos[r >= 0.9]
    inputs[rnd] = first_random + rng.integers(0, len(weights) - first_random, size=len(rnd))
    return inputs, pos, labels


def flat_groups(groups: list, Tt: int, Tr: int):
    """batchGroups (alignment/align.ts): row b's groups -> flat teacher rows, group starts, flat t2s positions."""
    rows, starts, pos = [], [0], []
    for b, gs in enumerate(groups):
        for i in range(len(gs) - 1):
            rows.append(b * Tt + i)
            pos.extend(range(b * Tr + int(gs[i]), b * Tr + int(gs[i + 1])))
            starts.append(len(pos))
    return rows, starts, pos


class Batcher:
    def __init__(self, examples, manifest: dict, recipe: dict, rank: int, world: int, counts: np.ndarray, glmd_rank_to_id=None):
        self.ex, self.m, self.r = examples, manifest, recipe
        self.mine = list(range(rank, len(examples), world))  # any world size: example g goes to rank g % world
        if not self.mine:
            raise ValueError(f"rank {rank} of {world} has no training sequence ({len(examples)} in the bundle): use fewer processes")
        self.rng = np.random.default_rng([recipe["seed"] ^ 0x5EED, rank])
        s = manifest["studentSpecials"]
        self.weights = selection_weights(counts, [s["pad"], s["unk"], s["cls"], s["sep"], s["mask"]], recipe["mlmSmoothing"])
        self.buckets = {k: bucket_lengths(v) for k, v in manifest["maxLen"].items()}
        self.rank_to_id = glmd_rank_to_id
        self.queue: list[list[int]] = []

    def _epoch(self) -> list[list[int]]:
        B = self.r["batchSize"]
        order = [self.mine[i] for i in self.rng.permutation(len(self.mine))]
        order.sort(key=lambda g: pad_to(len(self.ex.get(g)["student"]), self.buckets["student"]))
        batches = []
        for i in range(0, len(order), B):
            batch = order[i : i + B]
            k = 0
            while len(batch) < B:  # a short last batch takes the examples just before it
                batch.append(order[(i - 1 - k) % len(order)])
                k += 1
            batches.append(batch)
        return [batches[i] for i in self.rng.permutation(len(batches))]

    def position(self) -> dict:
        return {"rng": self.rng.bit_generator.state, "queue": [list(map(int, b)) for b in self.queue]}

    def restore(self, p: dict) -> None:
        self.rng.bit_generator.state = p["rng"]
        self.queue = [list(b) for b in p["queue"]]

    def next(self) -> dict:
        if not self.queue:
            self.queue = self._epoch()
        return self.build([self.ex.get(g) for g in self.queue.pop()])

    def build(self, rows: list) -> dict:
        m, method = self.m, self.r["method"]
        sp, tp = m["studentSpecials"], m["teacherSpecials"]
        Ts = pad_to(max(len(r["student"]) for r in rows), self.buckets["student"])
        ids, mask = pad_rows([r["student"] for r in rows], Ts, sp["pad"])
        inputs, pos, labels = select_mlm(ids, mask, self.weights, self.r["maskProb"], sp["mask"], m["firstRandom"], self.rng)
        b = {"B": len(rows), "student_ids": inputs.reshape(len(rows), Ts), "student_mask": mask.reshape(len(rows), Ts), "mlm_pos": pos, "mlm_labels": labels}
        if method == "mlm-only":
            return b
        if method in SHARED:
            t_ids, _ = pad_rows([r["teacher"] for r in rows], Ts, tp["pad"])
            for p in pos:
                s = inputs[p]
                if s != ids[p]:
                    t_ids[p] = tp["mask"] if s == sp["mask"] else (self.rank_to_id[s] if self.rank_to_id is not None else s)
            b.update(teacher_ids=t_ids.reshape(len(rows), Ts), teacher_mask=b["student_mask"], glmd_pos=np.nonzero(mask)[0])
            return b
        Tt = pad_to(max(len(r["teacher"]) for r in rows), self.buckets["teacher"])
        t_ids, t_mask = pad_rows([r["teacher"] for r in rows], Tt, tp["pad"])
        b.update(teacher_ids=t_ids.reshape(len(rows), Tt), teacher_mask=t_mask.reshape(len(rows), Tt))
        if method in ("reduce", "reduce-map"):
            Tr = pad_to(max(len(r["t2s"]) for r in rows), self.buckets["t2s"])
            r_ids, r_mask = pad_rows([r["t2s"] for r in rows], Tr, sp["pad"])
            rows_t, starts, gpos = flat_groups([r["groups"] for r in rows], Tt, Tr)
            b.update(t2s_ids=r_ids.reshape(len(rows), Tr), t2s_mask=r_mask.reshape(len(rows), Tr), row_teacher_pos=rows_t, group_start=starts, group_pos=gpos)
        if method == "match":
            b["match_t"] = [bi * Tt + int(p) for bi, r in enumerate(rows) for p in r["match_t"]]
            b["match_s"] = [bi * Ts + int(p) for bi, r in enumerate(rows) for p in r["match_s"]]
        return b


def to_device(b: dict, device) -> dict:
    return {k: v if k == "B" else torch.as_tensor(np.asarray(v, dtype=np.int64), device=device) for k, v in b.items()}


def tokens_of(b: dict) -> int:
    return int(np.asarray(b["student_mask"]).sum())


def replay_batches(path: str) -> list[dict]:
    """The engine's own batches (DistillBatch as JSON, written by the equivalence test) in the dict layout above."""
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    out = []
    for e in raw:
        B, s = e["batchSize"], e["student"]
        b = {"B": B, "student_ids": np.reshape(s["ids"], (B, s["seqLen"])), "student_mask": np.reshape(s["mask"], (B, s["seqLen"])), "mlm_pos": s["mlmPositions"], "mlm_labels": s["mlmLabels"]}
        if "teacher" in e:
            t = e["teacher"]
            b.update(teacher_ids=np.reshape(t["ids"], (B, t["seqLen"])), teacher_mask=np.reshape(t["mask"], (B, t["seqLen"])))
        if "t2s" in e:
            r = e["t2s"]
            b.update(t2s_ids=np.reshape(r["ids"], (B, r["seqLen"])), t2s_mask=np.reshape(r["mask"], (B, r["seqLen"])), row_teacher_pos=r["rowTeacherPos"], group_start=r["groupStart"], group_pos=r["groupPos"])
        if "match" in e:
            b.update(match_t=e["match"]["teacherPos"], match_s=e["match"]["studentPos"])
        if "glmd" in e:
            b["glmd_pos"] = e["glmd"]["positions"]
        out.append(b)
    return out
