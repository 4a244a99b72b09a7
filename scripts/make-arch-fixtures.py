#!/usr/bin/env python3
"""Tiny random-weight GGUF models for each architecture the CPU engine runs, with golden logits.

Each fixture is a few hundred KB: a byte-level BPE vocabulary of 300 tokens (so llama.cpp loads
it), 2 layers, random weights scaled so that activations and logits have a useful spread, and
tensors stored in a mix of formats. llama.cpp (through llama-cpp-python) then evaluates a few
random token sequences teacher-forced, and the logits of every position are stored beside the
model. The Swift tests (Tests/CPUEngineTests/ArchitectureGoldenTests.swift) feed the same ids to
the CPU engine and compare.

K-quant blocks (Q4_K, Q5_K, Q6_K) are written as random bits with a chosen super-block scale:
any bit pattern is a valid block, and the gguf package has no K-quant quantizer.

Run by hand when the fixtures must change (not in CI):
  pip install gguf llama-cpp-python numpy
  scripts/make-arch-fixtures.py --out Tests/CPUEngineTests/Fixtures/architectures
"""
import argparse
import json
import os

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q



# ---------------------------------------------------------------- tokenizer

def byte_symbols():
    """GPT-2's byte-to-unicode table: printable bytes map to themselves, the rest above U+0100."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return [table[b] for b in range(256)]


MERGES = ["Ġ t", "h e", "Ġ a", "i n", "Ġt he", "e r", "o n", "Ġ s", "r e", "a t", "e n", "Ġ w",
          "o r", "i s", "Ġ o", "e s", "a n", "Ġ c", "Ġ b", "i t", "a l", "Ġ f", "Ġ p", "e d",
          "Ġ m", "Ġ d", "o u", "l l", "Ġ in", "in g", "Ġ h", "a r", "Ġo f", "l e", "Ġ l", "Ġ n",
          "s t", "Ġ an", "a s", "Ġt o", "o m"]
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def add_tokenizer(writer, pre):
    tokens = byte_symbols()
    merges = []
    for merge in MERGES:
        left, right = merge.split(" ")
        assert left in tokens and right in tokens, merge
        tokens.append(left + right)
        merges.append(merge)
    normal = len(tokens)
    tokens += SPECIALS
    types = [1] * normal + [3] * len(SPECIALS)  # 1 normal, 3 control (llama.cpp token types)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(normal)
    writer.add_eos_token_id(normal + 2)
    writer.add_add_bos_token(False)
    return len(tokens)


# ---------------------------------------------------------------- tensors

def half(values):
    return np.asarray(values, dtype=np.float16).view(np.uint8).reshape(-1, 2)


def k_quant_rows(qtype, rows, columns, std, rng):
    """Random K-quant super-blocks whose weights have roughly standard deviation `std`."""
    blocks = rows * columns // 256
    if qtype == Q.Q4_K or qtype == Q.Q5_K:
        # w = d·sc·q − dmin·m with sc, m in 0...63; q in 0...15 (Q4_K) or 0...31 (Q5_K)
        levels = 16 if qtype == Q.Q4_K else 32
        mean_q = (levels - 1) / 2
        d = std / (37.0 * np.sqrt((levels ** 2 - 1) / 12 + mean_q ** 2))
        d_col = np.full(blocks, d) * rng.uniform(0.7, 1.3, blocks)
        parts = [half(d_col), half(d_col * mean_q), rng.integers(0, 256, (blocks, 12), dtype=np.uint8)]
        if qtype == Q.Q5_K:
            parts.append(rng.integers(0, 256, (blocks, 32), dtype=np.uint8))
        parts.append(rng.integers(0, 256, (blocks, 128), dtype=np.uint8))
    elif qtype == Q.Q6_K:
        # w = d·sc·(q − 32), sc signed int8 (here −32...31), q in 0...63
        d = std / (18.5 * 18.5)
        scales = rng.integers(-32, 32, (blocks, 16)).astype(np.int8).view(np.uint8)
        parts = [rng.integers(0, 256, (blocks, 128), dtype=np.uint8),
                 rng.integers(0, 256, (blocks, 64), dtype=np.uint8), scales,
                 half(np.full(blocks, d) * rng.uniform(0.7, 1.3, blocks))]
    else:
        raise ValueError(qtype)
    data = np.concatenate(parts, axis=1)
    return data.reshape(rows, -1)


def encode(values, qtype):
    """(rows, columns) f32 → the array GGUFWriter stores for `qtype`."""
    if qtype == Q.F32:
        return values.astype(np.float32), None
    if qtype == Q.F16:
        return values.astype(np.float16), None
    return gguf.quants.quantize(values.astype(np.float32), qtype), qtype


class Model:
    def __init__(self, path, arch, seed):
        self.writer = gguf.GGUFWriter(path, arch)
        self.rng = np.random.default_rng(seed)
        self.arch = arch

    def matrix(self, name, rows, columns, qtype, std):
        if qtype in (Q.Q4_K, Q.Q5_K, Q.Q6_K):
            self.writer.add_tensor(name, k_quant_rows(qtype, rows, columns, std, self.rng), raw_dtype=qtype)
            return
        data, raw = encode(self.rng.normal(0, std, (rows, columns)), qtype)
        self.writer.add_tensor(name, data, raw_dtype=raw)

    def vector(self, name, values):
        self.writer.add_tensor(name, np.asarray(values, dtype=np.float32))

    def close(self):
        self.writer.write_header_to_file()
        self.writer.write_kv_data_to_file()
        self.writer.write_tensors_to_file()
        self.writer.close()


def llama3_frequency_factors(head_dim, base, factor, low, high, original_context):
    """Llama 3's RoPE frequency scaling as convert_hf_to_gguf writes it into `rope_freqs.weight`:
    wavelengths longer than original/low are slowed by `factor`, shorter than original/high are
    kept, and those in between are interpolated."""
    frequencies = base ** (-np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)
    low_wavelength, high_wavelength = original_context / low, original_context / high
    factors = []
    for f in frequencies:
        wavelength = 2 * np.pi / f
        if wavelength < high_wavelength:
            factors.append(1.0)
        elif wavelength > low_wavelength:
            factors.append(factor)
        else:
            smooth = (original_context / wavelength - low) / (high - low)
            factors.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(factors, dtype=np.float32)


SPECS = {
    # qwen2: Q/K/V biases, NEOX RoPE, tied output; F32 embeddings, F16 attention, Q8_0 FFN
    "qwen2": dict(arch="qwen2", pre="qwen2", hidden=64, heads=4, kv_heads=2, head_dim=None, ffn=128,
                  layers=2, base=1_000_000.0, eps=1e-6, tied=True,
                  types=dict(embd=Q.F32, q=Q.F16, k=Q.F16, v=Q.F16, o=Q.F16, gate=Q.Q8_0, up=Q.Q8_0,
                             down=Q.Q8_0)),
    # qwen3: per-head QK RMS norm, head dim wider than hidden/heads, separate output; BF16 and
    # Q4_0/Q4_1 matrices
    "qwen3": dict(arch="qwen3", pre="qwen2", hidden=64, heads=4, kv_heads=2, head_dim=32, ffn=128,
                  layers=2, base=1_000_000.0, eps=1e-6, tied=False,
                  types=dict(embd=Q.F16, q=Q.BF16, k=Q.BF16, v=Q.Q8_0, o=Q.BF16, gate=Q.Q4_0, up=Q.Q4_1,
                             down=Q.Q8_0, output=Q.F16)),
    # llama with Llama 3 RoPE frequency factors, GQA; Q8_0, and the Q5_0/Q5_1 that Q4_K_M files
    # fall back to for rows that are not whole 256s
    "llama3": dict(arch="llama", pre="llama-bpe", hidden=64, heads=4, kv_heads=1, head_dim=None, ffn=160,
                   layers=2, base=500_000.0, eps=1e-5, tied=False,
                   rope_scaling=dict(factor=8.0, low=1.0, high=4.0, original_context=64),
                   types=dict(embd=Q.Q8_0, q=Q.Q8_0, k=Q.Q8_0, v=Q.Q8_0, o=Q.Q8_0, gate=Q.Q5_0,
                              up=Q.Q5_1, down=Q.Q8_0, output=Q.Q8_0)),
    # K-quants as a Q4_K_M file mixes them (rows of 256 need a wider model)
    "qwen3-kquants": dict(arch="qwen3", pre="qwen2", hidden=256, heads=4, kv_heads=2, head_dim=64, ffn=256,
                          layers=2, base=1_000_000.0, eps=1e-6, tied=False,
                          types=dict(embd=Q.Q4_K, q=Q.Q4_K, k=Q.Q5_K, v=Q.Q6_K, o=Q.Q4_K, gate=Q.Q4_K,
                                     up=Q.Q5_K, down=Q.Q6_K, output=Q.Q6_K)),
}


def write_model(path, name, spec, seed):
    m = Model(path, spec["arch"], seed)
    w, arch = m.writer, spec["arch"]
    hidden, heads, kv_heads, ffn = spec["hidden"], spec["heads"], spec["kv_heads"], spec["ffn"]
    head_dim = spec["head_dim"] or hidden // heads
    w.add_name(f"axllama-fixture-{name}")
    w.add_context_length(256)
    w.add_embedding_length(hidden)
    w.add_block_count(spec["layers"])
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    if spec["head_dim"]:
        w.add_key_length(head_dim)
        w.add_value_length(head_dim)
    w.add_rope_freq_base(spec["base"])
    w.add_layer_norm_rms_eps(spec["eps"])
    if arch == "llama":
        w.add_rope_dimension_count(head_dim)
    vocab = add_tokenizer(w, spec["pre"])
    t = spec["types"]

    m.matrix("token_embd.weight", vocab, hidden, t["embd"], 0.5)
    if "rope_scaling" in spec:
        r = spec["rope_scaling"]
        m.vector("rope_freqs.weight", llama3_frequency_factors(head_dim, spec["base"], r["factor"], r["low"],
                                                               r["high"], r["original_context"]))
    for i in range(spec["layers"]):
        p = f"blk.{i}."
        norm = lambda n: m.rng.uniform(0.8, 1.2, n)
        m.vector(p + "attn_norm.weight", norm(hidden))
        m.matrix(p + "attn_q.weight", heads * head_dim, hidden, t["q"], hidden ** -0.5)
        m.matrix(p + "attn_k.weight", kv_heads * head_dim, hidden, t["k"], hidden ** -0.5)
        m.matrix(p + "attn_v.weight", kv_heads * head_dim, hidden, t["v"], hidden ** -0.5)
        if arch == "qwen2":
            m.vector(p + "attn_q.bias", m.rng.normal(0, 0.5, heads * head_dim))
            m.vector(p + "attn_k.bias", m.rng.normal(0, 0.5, kv_heads * head_dim))
            m.vector(p + "attn_v.bias", m.rng.normal(0, 0.5, kv_heads * head_dim))
        if arch == "qwen3":
            m.vector(p + "attn_q_norm.weight", norm(head_dim))
            m.vector(p + "attn_k_norm.weight", norm(head_dim))
        m.matrix(p + "attn_output.weight", hidden, heads * head_dim, t["o"], (heads * head_dim) ** -0.5)
        m.vector(p + "ffn_norm.weight", norm(hidden))
        m.matrix(p + "ffn_gate.weight", ffn, hidden, t["gate"], hidden ** -0.5)
        m.matrix(p + "ffn_up.weight", ffn, hidden, t["up"], hidden ** -0.5)
        m.matrix(p + "ffn_down.weight", hidden, ffn, t["down"], ffn ** -0.5)
    m.vector("output_norm.weight", m.rng.uniform(0.8, 1.2, hidden))
    if not spec["tied"]:
        # wide enough that the top logits are usually well separated
        m.matrix("output.weight", vocab, hidden, t["output"], 2.5 * hidden ** -0.5)
    m.close()
    return vocab


# ---------------------------------------------------------------- goldens

SEQUENCE_LENGTHS = [24, 40]


def goldens(path, vocab, seed, threads):
    # Imported here: writing the models alone (`--models-only`, as `make test` does) needs no llama.cpp.
    import llama_cpp
    from llama_cpp import Llama
    # flash attention off, as for the engine goldens (peer-baseline.md); an f32 KV cache, because
    # llama.cpp's default f16 cache alone moves these logits by up to 0.25, hiding real differences
    llm = Llama(model_path=path, n_ctx=128, n_batch=64, n_threads=threads, n_threads_batch=threads, seed=0,
                logits_all=True, flash_attn=False, verbose=False,
                type_k=int(Q.F32), type_v=int(Q.F32))
    assert llm.n_vocab() == vocab
    rng = np.random.default_rng(seed)
    sequences = []
    for length in SEQUENCE_LENGTHS:
        ids = [int(i) for i in rng.integers(0, vocab, length)]
        llm.reset()
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm._ctx.ctx), True)
        llm.eval(ids)
        logits = np.array(llm.scores[:length], dtype=np.float32)
        sorted_logits = np.sort(logits, axis=1)
        gaps = sorted_logits[:, -1] - sorted_logits[:, -2]
        sequences.append({"ids": ids, "logits": [[round(float(v), 4) for v in row] for row in logits],
                          "gaps": [round(float(g), 4) for g in gaps]})
        print(f"  {length} tokens: logit std {logits.std():.2f}, "
              f"{int((gaps > 0.1).sum())}/{length} positions with top-1 gap > 0.1")
    return {"engine": f"llama.cpp via llama-cpp-python {llama_cpp.__version__}",
            "settings": {"n_ctx": 128, "flash_attn": False, "threads": threads, "kv_cache": "f32"},
            "vocab": vocab, "sequences": sequences}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="directory for NAME.gguf and NAME.goldens.json")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", nargs="*", help="fixture names (default: all)")
    ap.add_argument("--models-only", action="store_true",
                    help="write the .gguf files only (seeded, so byte-identical to the ones the goldens were made from)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for index, (name, spec) in enumerate(SPECS.items()):
        if args.only and name not in args.only:
            continue
        path = os.path.join(args.out, f"{name}.gguf")
        vocab = write_model(path, name, spec, seed=1000 + index)
        print(f"{name}: {os.path.getsize(path)} bytes")
        if args.models_only:
            continue
        record = goldens(path, vocab, seed=2000 + index, threads=args.threads)
        record["generator"] = "scripts/make-arch-fixtures.py"
        record["model"] = {"file_name": os.path.basename(path), "file_bytes": os.path.getsize(path)}
        with open(os.path.join(args.out, f"{name}.goldens.json"), "w") as f:
            json.dump(record, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
