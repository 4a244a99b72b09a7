#!/usr/bin/env python3
"""Golden logits for the CPU engine, made by llama.cpp (through llama-cpp-python).

For each prompt (plain text, and chat prompts rendered with the model's own chat template),
llama.cpp tokenizes it, evaluates it, and greedily continues it for --steps tokens (EOS does not
stop it, so every prompt has the same number of positions). At the last prompt position and
after each continuation token the file stores the top-k token ids with their logits and the
top-1/top-2 gap. The Swift test teacher-forces the same ids through our engine and compares.

Run by hand when the goldens must change (not in CI):
  pip install llama-cpp-python numpy
  scripts/make-engine-goldens.py --model FILE.gguf --out Tests/CPUEngineTests/Fixtures/engine-goldens.json
"""
import argparse
import hashlib
import json
import os

import numpy as np
import llama_cpp
from llama_cpp import Llama
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

PLAIN_PROMPTS = [
    "The quick brown fox jumps over the lazy dog. Once upon a time,",
    "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
]

CHAT_PROMPTS = [
    "What is the capital of France?",
    "Write a haiku about the sea.",
    "List three prime numbers greater than 10 and explain briefly why each is prime.",
]


def file_digest(path, limit=1 << 20):
    """sha256 of the first MiB: enough to tell model files apart without reading 100 MB."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read(limit)).hexdigest()


def last_logits(llm):
    ptr = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
    return np.ctypeslib.as_array(ptr, shape=(llm.n_vocab(),)).copy()


def position_record(logits, k):
    order = np.argsort(-logits, kind="stable")[:k]
    return {
        "ids": [int(i) for i in order],
        "logits": [round(float(logits[i]), 4) for i in order],
        "gap": round(float(logits[order[0]] - logits[order[1]]), 4),
    }


def continue_greedily(llm, prompt_ids, steps, k):
    llm.reset()
    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm._ctx.ctx), True)
    llm.eval(prompt_ids)
    logits = last_logits(llm)
    continuation, positions = [], [position_record(logits, k)]
    for _ in range(steps):
        token = int(np.argmax(logits))
        continuation.append(token)
        llm.eval([token])
        logits = last_logits(llm)
        positions.append(position_record(logits, k))
    return continuation, positions


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=128)
    ap.add_argument("--top-k", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    # flash attention off: the default oracle setting; it changes near-tie picks (peer-baseline.md)
    llm = Llama(model_path=args.model, n_ctx=2048, n_threads=args.threads, n_threads_batch=args.threads,
                seed=0, logits_all=True, flash_attn=False, verbose=False)
    model = llm._model
    eos, bos = llm.token_eos(), llm.token_bos()
    formatter = Jinja2ChatFormatter(template=llm.metadata["tokenizer.chat_template"],
                                    eos_token=model.token_get_text(eos),
                                    bos_token=model.token_get_text(bos), stop_token_ids=[eos])

    prompts = [{"kind": "plain", "text": p} for p in PLAIN_PROMPTS]
    prompts += [{"kind": "chat", "text": formatter(messages=[{"role": "user", "content": p}]).prompt}
                for p in CHAT_PROMPTS]
    cases = []
    for prompt in prompts:
        ids = llm.tokenize(prompt["text"].encode(), add_bos=False, special=prompt["kind"] == "chat")
        continuation, positions = continue_greedily(llm, ids, args.steps, args.top_k)
        cases.append({**prompt, "prompt_ids": ids, "continuation_ids": continuation, "positions": positions})
        gaps = [p["gap"] for p in positions]
        print(f"{prompt['kind']:5} {len(ids):3} prompt tokens, min gap {min(gaps):.4f}, "
              f"{sum(g > 0.5 for g in gaps)}/{len(gaps)} positions with gap > 0.5")

    out = {
        "generator": "scripts/make-engine-goldens.py",
        "engine": f"llama.cpp via llama-cpp-python {llama_cpp.__version__}",
        "settings": {"n_ctx": 2048, "flash_attn": False, "threads": args.threads, "top_k": args.top_k,
                     "steps": args.steps, "add_bos": False},
        "model": {"file_name": os.path.basename(args.model), "file_bytes": os.path.getsize(args.model),
                  "sha256_first_mib": file_digest(args.model), "n_vocab": llm.n_vocab()},
        "cases": cases,
    }
    with open(args.out, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
