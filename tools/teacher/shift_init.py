"""Shift-head initialisation: a plain BERT whose first layer starts with "previous / next token" attention heads.

Why: trained from a standard random initialisation on a corpus as small as Moby-Dick (260k tokens), a post-LN BERT
stalls for thousands of steps on the bag-of-words plateau (it predicts tokens that occur somewhere in the window,
ignoring order; see the model card). Heads that attend to fixed neighbours are what it must discover to leave that
plateau, so this initialisation builds them in. It only chooses initial values: the architecture, the parameter
names and the exported file are ordinary Hugging Face `BertForMaskedLM` weights, and training may change everything.

Construction (hidden H, head size d = H / heads, P = d position dimensions = the first P hidden dimensions):
- position embedding p_i: pairs (sin w_f i, cos w_f i) with w_f = pi (f + 1/2) / (P / 2), f = 0 .. P/2 - 1, in
  dimensions 0 .. P-1, zero elsewhere. sum_f cos(w_f D) is P/2 at D = 0, -P/2 at D = +-P, and exactly 0 at every
  other integer D (a half-integer Dirichlet kernel), so for |D| < P the dot product p_i . p_j singles out i = j;
- word embeddings: N(0, std) in dimensions P .. H-1 only, so at the start the position dimensions carry position only;
- layer 0, head h with offset o_h (default -1, +1, -2, +2): key = the position dimensions, query = the position
  dimensions rotated by o_h steps (each (sin, cos) pair by the angle w_f o_h), both times `gain`, so that the score
  q_i . k_j / sqrt(d) peaks at j = i + o_h; value = a random orthonormal projection of the word dimensions; the
  attention output dense writes each head back into the word dimensions through another random orthonormal map.
The amplitude of the position pairs makes the position and word parts carry equal energy before the embedding
LayerNorm. Everything else keeps BERT's N(0, 0.02) initialisation.
"""
import math

import torch


@torch.no_grad()
def shift_head_init(model, offsets=(-1, 1, -2, 2), peak_logit=10.0, value_gain=1.0, seed=0):
    c = model.config
    hid, heads = c["hidden_size"], c["num_attention_heads"]
    d = hid // heads
    P = d  # position dimensions (one head's width, so a head's query/key can read all of them)
    F = P // 2
    T = c["max_position_embeddings"]
    if P >= hid:
        raise ValueError(f"shift-head init needs more hidden dimensions ({hid}) than one head ({d})")
    if T > 2 * P:
        raise ValueError(f"positions {T} exceed the kernel's period 2·{P}")
    g = torch.Generator().manual_seed(seed)
    std = c["initializer_range"]
    emb = model.bert.embeddings

    # word embeddings: word dimensions only
    w = emb.word_embeddings.weight
    w.zero_()
    w[:, P:] = torch.randn(w.shape[0], hid - P, generator=g) * std
    word_energy = (hid - P) * std * std
    # positions: F (sin, cos) pairs with the same total energy as a word vector
    amp = math.sqrt(word_energy / F)
    freqs = math.pi * (torch.arange(F, dtype=torch.float64) + 0.5) / F  # [F]
    pos = torch.arange(T, dtype=torch.float64)[:, None] * freqs[None, :]  # [T, F]
    pe = torch.zeros(T, hid, dtype=torch.float64)
    pe[:, 0:P:2] = amp * torch.sin(pos)
    pe[:, 1:P:2] = amp * torch.cos(pos)
    emb.position_embeddings.weight.copy_(pe.float())
    emb.token_type_embeddings.weight.zero_()

    # after the embedding LayerNorm each (sin, cos) pair has norm about a = amp / std_of_sum
    std_sum = math.sqrt(2 * word_energy / hid)
    a = amp / std_sum
    # score at the target = gain^2 * a^2 * F / sqrt(d) = peak_logit
    gain = math.sqrt(peak_logit * math.sqrt(d) / (a * a * F))

    att = model.bert.encoder.layer[0].attention
    q, k, v, o = att.self.query, att.self.key, att.self.value, att.output.dense
    word_dims = hid - P
    for h in range(min(heads, len(offsets))):
        rows = slice(h * d, (h + 1) * d)
        off = offsets[h]
        for lin in (q, k, v):
            lin.weight[rows] = 0.0
            lin.bias[rows] = 0.0
        o.weight[:, rows] = 0.0
        kw = torch.zeros(d, hid)
        kw[:, 0:P] = torch.eye(P) * gain
        k.weight[rows] = kw
        # query rows: pair f of the query = rotation of pair f of the input by +w_f * off, so that
        # q_i . k_j = gain^2 sum_f a^2 cos(w_f (i + off - j))
        qw = torch.zeros(d, hid)
        for f in range(F):
            th = float(freqs[f]) * off
            cs, sn = math.cos(th), math.sin(th)
            s_, c_ = 2 * f, 2 * f + 1  # dims holding sin(w i), cos(w i)
            # sin(w(i+off)) = sin(wi) cos(th) + cos(wi) sin(th); cos(w(i+off)) = cos(wi) cos(th) - sin(wi) sin(th)
            qw[s_, s_], qw[s_, c_] = cs, sn
            qw[c_, s_], qw[c_, c_] = -sn, cs
        q.weight[rows] = qw * gain
        # value: orthonormal projection of the word dimensions; output: orthonormal map back into them
        vin = torch.linalg.qr(torch.randn(word_dims, d, generator=g))[0]  # [word_dims, d]
        vw = torch.zeros(d, hid)
        vw[:, P:] = vin.T
        v.weight[rows] = vw
        vout = torch.linalg.qr(torch.randn(word_dims, d, generator=g))[0]  # [word_dims, d]
        o.weight[P:, rows] = vout * value_gain
    return {"gain": gain, "position_pair_amplitude": amp, "offsets": list(offsets[:heads]), "peak_logit": peak_logit}
