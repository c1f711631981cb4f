#!/usr/bin/python3
"""Distils a `vocabkd export-run` bundle in PyTorch, data-parallel across processes (launch with torchrun):

    python3 -m torch.distributed.run --nproc_per_node 2 trainers/torch/train.py --bundle BUNDLE --out RUN

The same losses (losses.py), schedule (lr_at: src/train/schedule.ts), AdamW (src/train/adamw.ts: β 0.9 / 0.98, ε 1e-6,
decoupled decay on ≥ 2-D weights), accumulation (gradients averaged), global-norm clipping (min(1, c / (‖g‖ + 1e-6)))
and metrics (RUN/metrics.jsonl, one TrainPoint per logged step, as `vocabkd distill` writes) as the engine. DDP: gloo
on CPU, NCCL on GPUs; bf16 autocast on a GPU that has it (the KL and the softmax stay float32, item 30). Checkpoints:
RUN/checkpoints/step-N.pt every --checkpoint-every steps and at the end (the last two kept); --resume continues the
newest (refused for a checkpoint of another recipe). The student: RUN/student/ (HF folder: `vocabkd model fill-mask`).
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from batches import Batcher, replay_batches, to_device, tokens_of  # noqa: E402
from bundle import BinFile, BundleError, Examples, read_manifest  # noqa: E402
from losses import DistillObjective, Tables, teacher_targets  # noqa: E402
from model import load_mlm, save_student  # noqa: E402

CKPT_FORMAT = "vocabkd-torch-checkpoint"


class CheckpointMismatch(Exception):
    """A resume from a checkpoint of another recipe or bundle."""


def lr_at(step: int, r: dict) -> float:
    """src/train/schedule.ts lrAt with the recipe's schedule (warm-up round(warmupFrac·steps))."""
    peak, total, warm = r["lr"], r["steps"], round(r["warmupFrac"] * r["steps"])
    if step < warm:
        return peak * (step + 1) / warm
    if r["decay"] == "constant":
        return peak
    progress = min(1.0, (step - warm) / max(1, total - warm))
    floor = peak * r["minLrFrac"]
    if r["decay"] == "linear":
        return peak - (peak - floor) * progress
    return floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * progress))


class AdamW:
    """src/train/adamw.ts: p -= lr · (m̂ / (√v̂ + ε) + wd · p) with the decay on ≥ 2-D weights only."""

    def __init__(self, params: list, wd: float, beta1=0.9, beta2=0.98, eps=1e-6):
        self.params, self.wd, self.b1, self.b2, self.eps = params, wd, beta1, beta2, eps
        self.t = 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self, lr: float, clip: float) -> None:
        self.t += 1
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad * clip
            m.mul_(self.b1).add_(g, alpha=1 - self.b1)
            v.mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
            upd = (m / c1) / ((v / c2).sqrt() + self.eps)
            if self.wd > 0 and p.dim() >= 2:
                upd = upd + self.wd * p
            p.sub_(lr * upd)

    def state(self) -> dict:
        return {"t": self.t, "m": self.m, "v": self.v}

    def load(self, s: dict) -> None:
        self.t = s["t"]
        for dst, src in zip(self.m + self.v, s["m"] + s["v"]):
            dst.copy_(src)


def parse_args(argv=None):
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--bundle", required=True)
    a.add_argument("--out", required=True)
    a.add_argument("--steps", type=int, help="stop after this many optimizer steps (the schedule keeps the recipe's length)")
    a.add_argument("--accumulation", type=int, help="micro-batches per step and process (default: the recipe's)")
    a.add_argument("--checkpoint-every", type=int, help="default: the recipe's checkpointEvery (0 = only at the end)")
    a.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in OUT/checkpoints/")
    a.add_argument("--replay", help="train on the engine's batches from this JSON file (the equivalence test)")
    a.add_argument("--amp", choices=["auto", "bf16", "off"], default="auto")
    a.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: leave)")
    a.add_argument("--no-verify", action="store_true", help="skip the sha256 check of every bundle file")
    return a.parse_args(argv)


def setup_dist():
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local}") if torch.cuda.is_available() else torch.device("cpu")
    if world > 1:
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return rank, world, device


def mean_across(x: float, world: int, device) -> float:
    if world == 1:
        return x
    t = torch.tensor([x], dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return t.item() / world


def save_checkpoint(out: str, step: int, run: dict, positions: list) -> None:
    """OUT/checkpoints/step-N.pt, written to a temporary file and renamed; the last two kept."""
    d = os.path.join(out, "checkpoints")
    os.makedirs(d, exist_ok=True)
    state = {
        "format": CKPT_FORMAT, "version": 1, "recipeSha256": run["manifest"]["recipeSha256"], "method": run["recipe"]["method"], "step": step,
        "student": run["student"].state_dict(), "optimizer": run["opt"].state(), "positions": positions, "points": run["points"],
    }
    path = os.path.join(d, f"step-{step}.pt")
    torch.save(state, path + ".tmp")
    os.replace(path + ".tmp", path)
    for old in sorted(glob.glob(os.path.join(d, "step-*.pt")), key=lambda p: int(p.rsplit("-", 1)[1][:-3]))[:-2]:
        os.remove(old)


def load_checkpoint(out: str, manifest: dict) -> dict | None:
    paths = sorted(glob.glob(os.path.join(out, "checkpoints", "step-*.pt")), key=lambda p: int(p.rsplit("-", 1)[1][:-3]))
    if not paths:
        return None
    c = torch.load(paths[-1], map_location="cpu")
    if c.get("format") != CKPT_FORMAT:
        raise CheckpointMismatch(f"{paths[-1]}: not a vocabkd PyTorch checkpoint")
    if c["recipeSha256"] != manifest["recipeSha256"] or c["method"] != manifest["method"]:
        raise CheckpointMismatch(
            f"{paths[-1]} is a checkpoint of another recipe ({c['method']}, recipe sha256 {c['recipeSha256'][:12]}…); "
            f"this bundle's recipe is {manifest['method']}, sha256 {manifest['recipeSha256'][:12]}…: resume with the bundle it was trained on"
        )
    return c


def build_run(args, rank: int, world: int, device) -> dict:
    if rank == 0 or world == 1:
        manifest = read_manifest(args.bundle, verify=not args.no_verify)
    if world > 1:
        dist.barrier()  # rank 0 checked every file first
        manifest = read_manifest(args.bundle, verify=False)
    recipe = dict(manifest["recipe"])
    if args.accumulation:
        recipe["accumulation"] = args.accumulation
    method = recipe["method"]
    align = BinFile(os.path.join(args.bundle, "alignment.bin"))
    tables = Tables(align.arrays, align.meta, device)
    teacher = None
    if method != "mlm-only":
        teacher = load_mlm(os.path.join(args.bundle, "teacher")).to(device).eval()
        teacher.requires_grad_(False)
    student = load_mlm(os.path.join(args.bundle, "student-init")).to(device)
    counts = np.asarray(BinFile(os.path.join(args.bundle, "mlm-counts.bin")).arrays["counts"])
    rank_to_id = np.asarray(align.arrays["rankToId"]) if "rankToId" in align.arrays else None
    batcher = None if args.replay else Batcher(Examples(args.bundle, manifest), manifest, recipe, rank, world, counts, rank_to_id)
    objective = DistillObjective(student, recipe, tables)
    model = torch.nn.parallel.DistributedDataParallel(objective, device_ids=[device.index] if device.type == "cuda" else None) if world > 1 else objective
    run = {"manifest": manifest, "recipe": recipe, "tables": tables, "teacher": teacher, "student": student, "batcher": batcher, "model": model,
           "opt": AdamW(list(student.parameters()), recipe["weightDecay"]), "points": [], "replay": replay_batches(args.replay) if args.replay else None}
    return run


def micro_step(run: dict, b: dict, device, amp: bool, sync: bool, scale: float) -> tuple[float, dict, int]:
    """One micro-batch: teacher rows without gradient, the student loss, backward (gradient sync only on the last)."""
    tokens = tokens_of(b)
    b = to_device(b, device)
    tgt = teacher_targets(run["teacher"], b, run["recipe"]["method"], run["tables"]) if run["teacher"] is not None else None
    model = run["model"]
    ctx = model.no_sync() if (not sync and hasattr(model, "no_sync")) else _null()
    with ctx, torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):
        loss, parts = model(b, tgt)
        (loss * scale).backward()
    return loss.item(), {k: v.item() for k, v in parts.items()}, tokens


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def optimizer_step(run: dict, step: int, device, world: int, amp: bool) -> dict:
    """One optimizer step (0-based `step`): accumulation micro-batches, averaged gradients, the global norm, clipping, AdamW."""
    r = run["recipe"]
    acc = r["accumulation"]
    losses, parts, tokens = [], {}, 0
    for k in range(acc):
        b = run["replay"][(step * acc + k) % len(run["replay"])] if run["replay"] else run["batcher"].next()
        loss, p, n = micro_step(run, b, device, amp, sync=k == acc - 1, scale=1.0 / acc)
        losses.append(loss)
        tokens += n
        for name, x in p.items():
            parts.setdefault(name, []).append(x)
    params = list(run["student"].parameters())
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
    norm = torch.sqrt(sum((p.grad.float() ** 2).sum() for p in params)).item()
    clip = min(1.0, r["clipNorm"] / (norm + 1e-6)) if r["clipNorm"] > 0 else 1.0
    lr = lr_at(step, r)
    run["opt"].step(lr, clip)
    for p in params:
        p.grad = None
    point = {"loss": mean_across(sum(losses) / acc, world, device), "lr": lr, "gradNorm": norm}
    for name, xs in parts.items():
        point[name] = mean_across(sum(xs) / len(xs), world, device)
    point["tokens"] = mean_across(tokens, world, device) * world
    return point


def train(args) -> dict:
    if args.threads:
        torch.set_num_threads(args.threads)
    rank, world, device = setup_dist()
    torch.manual_seed(0)
    run = build_run(args, rank, world, device)
    r = run["recipe"]
    amp = device.type == "cuda" and args.amp != "off" and torch.cuda.is_bf16_supported()
    start = 0
    if args.resume:
        c = load_checkpoint(args.out, run["manifest"])
        if c is not None:
            run["student"].load_state_dict(c["student"])
            run["opt"].load({k: ([t.to(device) for t in v] if isinstance(v, list) else v) for k, v in c["optimizer"].items()})
            run["points"] = c["points"]
            start = c["step"]
            if run["batcher"] and len(c["positions"]) == world:
                run["batcher"].restore(c["positions"][rank])
            elif run["batcher"] and rank == 0:
                print(f"warning: the checkpoint was written by {len(c['positions'])} processes, this run has {world}: the data order restarts", file=sys.stderr)
    steps = min(args.steps or r["steps"], r["steps"])
    every = r["checkpointEvery"] if args.checkpoint_every is None else args.checkpoint_every
    os.makedirs(args.out, exist_ok=True)
    metrics = os.path.join(args.out, "metrics.jsonl")
    if rank == 0:
        keep = [json.dumps(p) + "\n" for p in run["points"]]
        with open(metrics, "w", encoding="utf-8") as f:
            f.writelines(keep)
    t0 = time.perf_counter()
    last = t0
    for step in range(start, steps):
        p = optimizer_step(run, step, device, world, amp)
        now = time.perf_counter()
        ms = (now - last) * 1000
        last = now
        point = {"step": step + 1, "loss": p["loss"], "lr": p["lr"], "gradNorm": p["gradNorm"], "msPerStep": ms,
                 "tokensPerSec": p["tokens"] / max(ms / 1000, 1e-9), "elapsedMs": (now - t0) * 1000, **{k: p[k] for k in ("kl", "mlm") if k in p}}
        logged = (step + 1) % max(1, r["logEvery"]) == 0 or step + 1 == steps
        if logged:
            run["points"].append(point)
            if rank == 0:
                with open(metrics, "a", encoding="utf-8") as f:
                    f.write(json.dumps(point) + "\n")
        if (every > 0 and (step + 1) % every == 0) or step + 1 == steps:
            checkpoint(run, args.out, step + 1, rank, world)
    if rank == 0:
        save_student(run["student"], os.path.join(args.bundle, "student-init"), os.path.join(args.out, "student"), {"method": r["method"], "step": steps})
        summary = {"method": r["method"], "steps": steps, "world": world, "device": str(device), "amp": amp, "wallSeconds": time.perf_counter() - t0, "last": run["points"][-1] if run["points"] else None}
        with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2)
        print(json.dumps({"event": "done", "out": args.out, **summary}))
    if world > 1:
        dist.barrier()  # every rank is done: rank 0 has written the student, the metrics and the summary
    return run


def checkpoint(run: dict, out: str, step: int, rank: int, world: int) -> None:
    pos = run["batcher"].position() if run["batcher"] else None
    positions = [None] * world
    if world > 1:
        dist.all_gather_object(positions, pos)
    else:
        positions = [pos]
    if rank == 0:
        save_checkpoint(out, step, run, positions)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        run = train(args)
    except (BundleError, CheckpointMismatch) as e:
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    if dist.is_available() and dist.is_initialized():
        # A multi-process run ends here, with `run` (and its DDP model) still referenced: no destroy_process_group and no
        # interpreter shutdown. In PyTorch 1.13 (Debian's python3-torch) the DDP Reducer's destructor runs with the GIL
        # held and joins gloo's worker thread, which may still be freeing a tensor that has a Python object and so
        # waits for the GIL: a deadlock (seen with gdb; about 1 in 8 two-process runs; torchrun then waits forever).
        # Every rank has passed the final barrier and rank 0 has written everything, so nothing is lost.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
