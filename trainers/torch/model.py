"""BERT masked LMs with Hugging Face `BertForMaskedLM` key names: tools/teacher/bert.py's model (shared, imported by
path), loaded from and written to HF folders (config.json + model.safetensors + the tokenizer files)."""
from __future__ import annotations

import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "teacher"))
from bert import BertForMaskedLM  # noqa: E402  (tools/teacher/bert.py: the same keys as the engine's models/mlm.ts)
from safetensors_io import load_file, save_file  # noqa: E402

from bundle import BundleError  # noqa: E402

TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json")
# Keys an HF export may add that carry no weights of their own (the tied decoder, position ids).
IGNORED_KEYS = ("cls.predictions.decoder.weight", "cls.predictions.decoder.bias", "bert.embeddings.position_ids")


def bert_config(cfg: dict) -> dict:
    """config.json -> tools/teacher/bert.py's dict; no dropout (the engine has none), HF defaults for absent fields."""
    if cfg.get("embedding_size", cfg["hidden_size"]) != cfg["hidden_size"]:
        raise BundleError("a factorised student (embedding_size) is not supported by the PyTorch trainer")
    if cfg.get("hidden_act", "gelu") != "gelu":
        raise BundleError(f"hidden_act {cfg.get('hidden_act')!r}: only the exact GELU is implemented")
    c = dict(cfg)
    c.setdefault("type_vocab_size", 2)
    c.setdefault("layer_norm_eps", 1e-12)
    c.setdefault("initializer_range", 0.02)
    c["hidden_dropout_prob"] = 0.0
    c["attention_probs_dropout_prob"] = 0.0
    return c


def load_mlm(folder: str) -> BertForMaskedLM:
    """An HF folder (model.safetensors) as a float32 BertForMaskedLM; every key of the model must be in the file."""
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    path = os.path.join(folder, "model.safetensors")
    if not os.path.isfile(path):
        raise BundleError(f"{folder}: no model.safetensors")
    tensors, _ = load_file(path)
    tensors = {k: v.float() for k, v in tensors.items() if k not in IGNORED_KEYS}
    model = BertForMaskedLM(bert_config(cfg))
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    if missing or unexpected:
        raise BundleError(f"{path}: missing keys {missing[:5]}, unexpected keys {unexpected[:5]}")
    return model


def head(model: BertForMaskedLM, h: torch.Tensor) -> torch.Tensor:
    """The MLM head's transform (dense, GELU, LayerNorm): [N, H] -> [N, H]."""
    return model.cls.predictions.transform(h)


def decode(model: BertForMaskedLM, t: torch.Tensor, cols: torch.Tensor | None = None, scale: torch.Tensor | None = None) -> torch.Tensor:
    """Tied decoder restricted to `cols`: t [N, H] -> t·W[cols]ᵀ + scale·bias[cols] (scale [N, 1], default 1)."""
    w = model.bert.embeddings.word_embeddings.weight
    b = model.cls.predictions.bias
    if cols is not None:
        w, b = w[cols], b[cols]
    z = t @ w.t()
    return z + (b if scale is None else scale * b)


def save_student(model: BertForMaskedLM, init_folder: str, out: str, metadata: dict) -> None:
    """The student as an HF folder: config.json and the tokenizer files of student-init/, model.safetensors (float32)."""
    tmp = out + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    for name in ("config.json",) + TOKENIZER_FILES:
        if os.path.exists(os.path.join(init_folder, name)):
            shutil.copyfile(os.path.join(init_folder, name), os.path.join(tmp, name))
    state = {k: v.detach().float().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(tmp, "model.safetensors"), {"format": "pt", **{k: str(v) for k, v in metadata.items()}})
    if os.path.exists(out):
        shutil.rmtree(out)
    os.replace(tmp, out)


