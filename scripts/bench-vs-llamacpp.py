#!/usr/bin/env python3
"""Side-by-side speed of axllama's CPU engine and llama.cpp on one GGUF model.

Both engines get the same token ids (a fixed English passage tokenized by llama.cpp, cut to
each prompt length), start from an empty cache, prefill the prompt, then decode greedily
(argmax, EOS ignored). Rounds alternate llama.cpp and axllama (A B A B ...) because this
machine's speed drifts between time windows; the ratios are taken per round and their median
reported. llama.cpp runs in this process through llama-cpp-python; axllama through
`axllama bench` (build it first with `swift build -c release --product axllama`).

Usage:
  scripts/bench-vs-llamacpp.py --model FILE.gguf [--threads 2] [--rounds 3] [--json-out FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
import llama_cpp
from llama_cpp import Llama

PASSAGE = """\
A lighthouse keeper's day begins before dawn. The lamp must be trimmed, the lens polished,
and the log written in a careful hand: wind from the north-west, sea moderate, two fishing
boats returning at first light. Supplies arrive once a fortnight if the weather allows, and
the keeper learns to plan around storms the way a farmer plans around seasons. Between chores
there is time to read, to mend nets for the village, and to watch the birds that rest on the
rocks during their long migrations. Visitors often ask whether the solitude is hard to bear.
Most keepers answer that the sea is never the same twice, that the light has a rhythm of its
own, and that a life measured in tides and watches has a calm that cities rarely offer.
Modern beacons run on batteries and solar panels, and few towers still need a person at all,
yet the old logbooks remain: thousands of pages recording ships, gales, rescues and quiet
nights, a patient record of people keeping a promise to strangers they would never meet.
"""


def llama_round(llm, prompt, n_gen):
    llm.reset()
    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm._ctx.ctx), True)
    ctx, n_vocab = llm._ctx.ctx, llm.n_vocab()

    def argmax():
        ptr = llama_cpp.llama_get_logits_ith(ctx, -1)
        return int(np.argmax(np.ctypeslib.as_array(ptr, shape=(n_vocab,))))

    t0 = time.perf_counter()
    llm.eval(prompt)
    token = argmax()
    t1 = time.perf_counter()
    for _ in range(n_gen):
        llm.eval([token])
        token = argmax()
    t2 = time.perf_counter()
    return {"prefill_tok_s": len(prompt) / (t1 - t0), "decode_tok_s": n_gen / (t2 - t1)}


def axllama_round(binary, model, ids_file, lengths, n_gen, threads):
    command = [binary, "bench", "--model", model, "--prompt-lengths", ",".join(map(str, lengths)),
               "--decode-tokens", str(n_gen), "--prompt-tokens-file", ids_file, "--json"]
    if threads:
        command += ["--threads", str(threads)]
    report = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    out = {}
    for n in lengths:
        r = report[f"prompt_{n}"][0]
        out[n] = {"prefill_tok_s": r["promptTokens"] / r["prefillSeconds"],
                  "decode_tok_s": r["decodeTokens"] / r["decodeSeconds"]}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--prompt-lens", default="128,512")
    ap.add_argument("--n-gen", type=int, default=128)
    ap.add_argument("--axllama", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "..", ".build", "release", "axllama"))
    ap.add_argument("--json-out")
    args = ap.parse_args()
    lengths = [int(x) for x in args.prompt_lens.split(",")]

    llm = Llama(model_path=args.model, n_ctx=2048, n_threads=args.threads, n_threads_batch=args.threads,
                seed=0, flash_attn=False, verbose=False)
    ids = llm.tokenize(PASSAGE.encode(), add_bos=False, special=False)
    ids = (ids * (max(lengths) // len(ids) + 1))[:max(lengths)]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(ids, f)
        ids_file = f.name

    llama_round(llm, ids[:max(lengths)], 16)  # warm-up (axllama warms up inside its own bench)
    rounds = []
    load_start = os.getloadavg()
    for _ in range(args.rounds):
        a = {n: llama_round(llm, ids[:n], args.n_gen) for n in lengths}
        b = axllama_round(args.axllama, args.model, ids_file, lengths, args.n_gen, args.threads)
        rounds.append({"llama.cpp": a, "axllama": b})
    os.unlink(ids_file)

    summary = {}
    for n in lengths:
        for metric in ("prefill_tok_s", "decode_tok_s"):
            ours = [r["axllama"][n][metric] for r in rounds]
            theirs = [r["llama.cpp"][n][metric] for r in rounds]
            ratios = [o / t for o, t in zip(ours, theirs)]
            summary[f"prompt_{n}.{metric}"] = {
                "axllama_median": statistics.median(ours), "llama_cpp_median": statistics.median(theirs),
                "ratio_median": statistics.median(ratios), "ratios_per_round": ratios}

    print(f"{'measure':34} {'axllama':>9} {'llama.cpp':>9} {'ratio':>6}  per-round ratios")
    for key, s in summary.items():
        label = key.replace("prompt_", "prompt ").replace(".prefill_tok_s", ": prefill tok/s") \
                   .replace(".decode_tok_s", f": decode {args.n_gen} tok/s")
        print(f"{label:34} {s['axllama_median']:9.1f} {s['llama_cpp_median']:9.1f} {s['ratio_median']:6.2f}  "
              + " ".join(f"{r:.2f}" for r in s["ratios_per_round"]))
    result = {"model": os.path.basename(args.model), "threads": args.threads, "rounds": args.rounds,
              "n_gen": args.n_gen, "llama_cpp_python": llama_cpp.__version__, "flash_attn": False,
              "loadavg_start": load_start, "loadavg_end": os.getloadavg(),
              "summary": summary, "raw": [{k: {str(n): v for n, v in r[k].items()} for k in r} for r in rounds]}
    print(json.dumps(result, indent=1))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
