"""The engine's distillation losses in PyTorch (src/distill/losses.ts, distillLoss.ts; docs/methods.md §A.5, §B.3;
checklist items cited inline). One batch is a dict of tensors in the engine's DistillBatch layout (flat positions)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from model import decode, head


def kl_loss(teacher: torch.Tensor, student: torch.Tensor, T: float, denominator: float | None = None) -> torch.Tensor:
    """Items 13, 19, 29, 30: T² / den · Σ_rows Σ_cols p_t (log p_t − log p_s), log-softmax on both sides, float32."""
    lp_t = F.log_softmax(teacher.float() / T, dim=-1)
    lp_s = F.log_softmax(student.float() / T, dim=-1)
    den = teacher.shape[0] if denominator is None else denominator
    return (lp_t.exp() * (lp_t - lp_s)).sum() * (T * T / den)


def group_rows(group_start: torch.Tensor) -> torch.Tensor:
    """Row index of every group entry: group g owns entries group_start[g] … group_start[g + 1] − 1."""
    sizes = group_start[1:] - group_start[:-1]
    return torch.repeat_interleave(torch.arange(len(sizes), device=group_start.device), sizes)


def reduce_rows(t: torch.Tensor, group_start: torch.Tensor, group_pos: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Item 6: Σ_{j∈G_i} t_j over flat t2s rows t [B·Tr, E] -> ([N, E], |G_i| as [N, 1])."""
    n = len(group_start) - 1
    out = torch.zeros(n, t.shape[1], dtype=t.dtype, device=t.device).index_add(0, group_rows(group_start), t[group_pos])
    return out, (group_start[1:] - group_start[:-1]).to(t.dtype).unsqueeze(1)


def reduce_map_scores(z: torch.Tensor, piece_idx: torch.Tensor, valid: torch.Tensor, mode: str) -> torch.Tensor:
    """Items 9–10: z [N, Vs] -> [N, M]: Σ_{u∈σ(v)} z_u ('sum', padding 0) or log Σ exp z_u ('logsumexp', padding −∞)."""
    n, vs = z.shape
    fill = 0.0 if mode == "sum" else float("-inf")
    idx = torch.where(valid.bool(), piece_idx, torch.full_like(piece_idx, vs))  # [M, P], padding -> extra column
    x = torch.cat([z, torch.full((n, 1), fill, dtype=z.dtype, device=z.device)], 1)[:, idx]  # [N, M, P]
    return x.sum(2) if mode == "sum" else torch.logsumexp(x, 2)


class Tables:
    """The run's fixed index lists (item 32): C, the reduce-map table, the GLMD rank list, as device tensors."""

    def __init__(self, arrays: dict, meta: dict, device: torch.device):
        t = {k: torch.as_tensor(v.astype("int64"), device=device) for k, v in arrays.items()}
        self.c_teacher, self.c_student = t.get("sharedTeacher"), t.get("sharedStudent")
        self.map_teacher = t.get("mapTeacherIds")
        if self.map_teacher is not None:
            self.map_pieces = t["mapPieceIdx"].view(meta["M"], meta["P"])
            self.map_valid = t["mapValid"].view(meta["M"], meta["P"])
        self.rank_to_id = t.get("rankToId")

    def teacher_cols(self, method: str):
        return {"reduce": self.c_teacher, "match": self.c_teacher, "reduce-map": self.map_teacher, "glmd": self.rank_to_id}.get(method)


def kl_rows(method: str, b: dict) -> torch.Tensor | None:
    """Flat teacher positions of the KL rows (items 7, 11, 19)."""
    if method in ("reduce", "reduce-map"):
        return b["row_teacher_pos"]
    return {"match": b.get("match_t"), "glmd": b.get("glmd_pos"), "kd-full": b.get("glmd_pos")}.get(method)


@torch.no_grad()
def teacher_targets(teacher, b: dict, method: str, tables: Tables) -> torch.Tensor | None:
    """The teacher's logits at the KL rows over the method's columns: constants, never masked (item 4)."""
    rows = kl_rows(method, b)
    if method == "mlm-only" or rows is None or len(rows) == 0:
        return None
    h = teacher.bert(b["teacher_ids"], b["teacher_mask"])
    return decode(teacher, head(teacher, h.reshape(-1, h.shape[-1])[rows]), tables.teacher_cols(method)).float()


class DistillObjective(nn.Module):
    """total = w.kl·KL + w.mlm·MLM of one micro-batch (items 5, 6–14, 19–20, 26); forward returns (total, parts)."""

    def __init__(self, student, recipe: dict, tables: Tables):
        super().__init__()
        self.student = student
        self.r = recipe
        self.tables = tables

    def _kl_student(self, b: dict, h: torch.Tensor) -> torch.Tensor:
        """The student's logits at the KL rows, columns as the teacher's."""
        method, s, tb = self.r["method"], self.student, self.tables
        if method in ("reduce", "reduce-map"):
            ht = s.bert(b["t2s_ids"], b["t2s_mask"])
            t, sizes = reduce_rows(head(s, ht.reshape(-1, ht.shape[-1])), b["group_start"], b["group_pos"])
            scale = sizes
            if self.r["reduceGroup"] == "mean":  # item 6: our mean divides by |G_i|
                t, scale = t / sizes, None
            if method == "reduce":
                return decode(s, t, tb.c_student, scale)  # item 8: columns C
            return reduce_map_scores(decode(s, t, None, scale), tb.map_pieces, tb.map_valid, self.r["reduceMapScore"])
        at = b["match_s"] if method == "match" else b["glmd_pos"]
        t = head(s, h.reshape(-1, h.shape[-1])[at])
        return decode(s, t, tb.c_student if method == "match" else None)  # item 12 / 26

    def forward(self, b: dict, target: torch.Tensor | None):
        w = self.r["weights"]
        h = self.student.bert(b["student_ids"], b["student_mask"])
        parts, terms = {}, []
        if w["mlm"] > 0 and len(b["mlm_pos"]) > 0:
            logits = decode(self.student, head(self.student, h.reshape(-1, h.shape[-1])[b["mlm_pos"]]))
            parts["mlm"] = F.cross_entropy(logits.float(), b["mlm_labels"])  # item 5: mean over the targets
            terms.append(w["mlm"] * parts["mlm"])
        if target is not None:
            z = self._kl_student(b, h)
            den = b["B"] * self.r["seqLen"] if self.r["method"] == "glmd" and self.r["glmdDivideBy"] == "all" else z.shape[0]  # item 20
            parts["kl"] = kl_loss(target, z, self.r["temperature"], den)
            terms.append(w["kl"] * parts["kl"])
        if not terms:
            return h.sum() * 0.0, parts  # nothing to learn from this batch: zero gradient
        return sum(terms[1:], terms[0]), parts
