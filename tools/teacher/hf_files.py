#!/usr/bin/python3
"""Tokenizer-side files of a Hugging Face BERT folder, with the special-token ids of the folder's own vocabulary.

`write_tokenizer_files(folder)` reads the folder's tokenizer.json and config.json, checks that config.json's
pad_token_id is [PAD]'s id in tokenizer.json (and in vocab.txt when there is one), and writes special_tokens_map.json
and tokenizer_config.json byte for byte as the workbench's exporter does (src/models/hfSpecials.ts,
`tokenizerFilesJson`; src/models/hfSpecials.test.ts compares the shipped teacher's files with it). Standard library only,
so it also runs on its own for an existing folder:

    python3 tools/teacher/hf_files.py public/models/teacher-en
"""
import json
import os
import sys

# HF's special-token fields of a BERT tokenizer and the strings they name, in special_tokens_map.json's order.
FIELDS = [("unk_token", "[UNK]"), ("sep_token", "[SEP]"), ("pad_token", "[PAD]"), ("cls_token", "[CLS]"), ("mask_token", "[MASK]")]


def token_ids(tj):
    """tokenizer.json -> {token: id} over its model vocabulary and its added tokens."""
    ids = dict(tj["model"]["vocab"])
    for a in tj.get("added_tokens") or []:
        assert ids.get(a["content"], a["id"]) == a["id"], f"added token {a['content']!r} has id {a['id']}, the vocabulary {ids[a['content']]}"
        ids[a["content"]] = a["id"]
    return ids


def special_ids(tj):
    """{field: (token, id)} for the BERT specials the vocabulary has."""
    ids = token_ids(tj)
    return {field: (tok, ids[tok]) for field, tok in FIELDS if tok in ids}


def tokenizer_files(tj, max_positions):
    """(tokenizer_config, special_tokens_map) as dicts, keys in the exporter's order."""
    names = {field: tok for field, (tok, _) in special_ids(tj).items()}
    n = tj.get("normalizer")  # a BertNormalizer's flags default to on, as in tokenizers (src/tokenizers/hfJson.ts)
    added = sorted(tj.get("added_tokens") or [], key=lambda a: a["id"])
    config = {
        "tokenizer_class": "BertTokenizerFast" if tj["model"]["type"] == "WordPiece" else "PreTrainedTokenizerFast",
        "do_lower_case": n is not None and n.get("lowercase") is not False,
        "strip_accents": n.get("strip_accents") if n is not None and isinstance(n.get("strip_accents"), bool) else None,
        "tokenize_chinese_chars": n is not None and n.get("handle_chinese_chars") is not False,
        "model_max_length": max_positions,
        "clean_up_tokenization_spaces": True,
        **names,
        "added_tokens_decoder": {
            str(a["id"]): {"content": a["content"], "lstrip": False, "normalized": False, "rstrip": False, "single_word": False, "special": a["special"]}
            for a in added
        },
    }
    return config, names


def dump(obj, path):
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def write_tokenizer_files(folder):
    """Checks config.json's pad_token_id against the vocabulary, then writes the two files; returns the special ids."""
    with open(os.path.join(folder, "tokenizer.json"), encoding="utf-8") as f:
        tj = json.load(f)
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    specials = special_ids(tj)
    pad = specials.get("pad_token", (None, None))[1]
    assert config.get("pad_token_id") == pad, f"config.json pad_token_id {config.get('pad_token_id')} is not [PAD]'s id {pad}"
    vocab_txt = os.path.join(folder, "vocab.txt")
    if os.path.exists(vocab_txt):
        with open(vocab_txt, encoding="utf-8") as f:
            lines = f.read().split("\n")[:-1]
        for field, (tok, i) in specials.items():
            assert lines[i] == tok, f"vocab.txt line {i} is {lines[i]!r}, tokenizer.json has {tok!r} ({field}) there"
    tc, stm = tokenizer_files(tj, config["max_position_embeddings"])
    dump(tc, os.path.join(folder, "tokenizer_config.json"))
    dump(stm, os.path.join(folder, "special_tokens_map.json"))
    return {tok: i for tok, i in specials.values()}


if __name__ == "__main__":
    print(json.dumps(write_tokenizer_files(sys.argv[1])))
