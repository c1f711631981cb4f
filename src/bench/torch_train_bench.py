#!/usr/bin/env python3
"""PyTorch reference for `vocabkd bench train --torch`: the same BERT masked LM and step on the same shapes.

Model: HF BertForMaskedLM's layout (post-LN encoder, GELU, head transform, decoder tied to the word table, 2 token
types), logits only at the masked positions (15 % of the B*T tokens, as our MLM task does), AdamW (lr 1e-3) with
global-norm clipping at 1. Each timed step ends with loss.item(). Prints one JSON line.
Run with Debian's interpreter: /usr/bin/python3 src/bench/torch_train_bench.py --config tiny --threads 2
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

PRESETS = {
    "tiny": dict(V=4000, H=128, L=2, A=4, I=512, T=64, B=16),
    "medium": dict(V=8000, H=256, L=4, A=4, I=1024, T=128, B=32),
}


class Layer(torch.nn.Module):
    def __init__(self, H, A, I):
        super().__init__()
        self.A = A
        self.qkv = torch.nn.Linear(H, 3 * H)
        self.out = torch.nn.Linear(H, H)
        self.ln1 = torch.nn.LayerNorm(H, eps=1e-12)
        self.ff1 = torch.nn.Linear(H, I)
        self.ff2 = torch.nn.Linear(I, H)
        self.ln2 = torch.nn.LayerNorm(H, eps=1e-12)

    def forward(self, x, bias):
        B, T, H = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.A, H // self.A).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(H // self.A) + bias, dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(B, T, H)
        x = self.ln1(x + self.out(ctx))
        return self.ln2(x + self.ff2(F.gelu(self.ff1(x))))


class Mlm(torch.nn.Module):
    def __init__(self, V, H, L, A, I, T):
        super().__init__()
        self.word = torch.nn.Embedding(V, H)
        self.pos = torch.nn.Embedding(T, H)
        self.types = torch.nn.Embedding(2, H)
        self.ln = torch.nn.LayerNorm(H, eps=1e-12)
        self.layers = torch.nn.ModuleList([Layer(H, A, I) for _ in range(L)])
        self.transform = torch.nn.Linear(H, H)
        self.tln = torch.nn.LayerNorm(H, eps=1e-12)
        self.bias = torch.nn.Parameter(torch.zeros(V))

    def forward(self, ids, mask, positions):
        B, T = ids.shape
        x = self.ln(self.word(ids) + self.pos.weight[:T] + self.types.weight[0])
        bias = (1.0 - mask[:, None, None, :].float()) * -1e4
        for layer in self.layers:
            x = layer(x, bias)
        h = x.reshape(B * T, -1)[positions]
        h = self.tln(F.gelu(self.transform(h)))
        return h @ self.word.weight.t() + self.bias


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="tiny", choices=sorted(PRESETS))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    p = PRESETS[a.config]
    model = Mlm(p["V"], p["H"], p["L"], p["A"], p["I"], p["T"])
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    g = torch.Generator().manual_seed(9)
    B, T, V = p["B"], p["T"], p["V"]
    n_masked = max(1, round(0.15 * B * T))

    def step():
        ids = torch.randint(5, V, (B, T), generator=g)
        mask = torch.ones(B, T, dtype=torch.long)
        positions = torch.randperm(B * T, generator=g)[:n_masked]
        labels = ids.reshape(-1)[positions]
        loss = F.cross_entropy(model(ids, mask, positions), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    med = statistics.median(times)
    print(json.dumps({
        "bench": "torch-train", "torch": torch.__version__, "config": a.config, "threads": torch.get_num_threads(),
        "params": sum(x.numel() for x in model.parameters()), "steps": a.steps, "warmup": a.warmup,
        "medianMsPerStep": round(med, 1), "minMsPerStep": round(min(times), 1), "maxMsPerStep": round(max(times), 1),
        "tokensPerSec": round(B * T * 1000 / med, 1),
    }))


if __name__ == "__main__":
    main()
