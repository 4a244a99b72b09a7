#!/usr/bin/env python3
"""Side-by-side speed of axllama's CPU engine and llama.cpp on one GGUF model.

Both engines get the same token ids (a fixed English passage tokenized by llama.cpp, cut to
each prompt length), start from an empty cache, prefill the prompt, then decode greedily
(argmax, EOS ignored). Rounds alternate llama.cpp and axllama (A B A B ...) because this
machine's speed drifts between time windows; the ratios are taken per round and their median
reported. llama.cpp runs through llama-cpp-python in a worker subprocess that keeps the model
loaded between rounds; axllama through one `axllama bench` subprocess per round (build it first
with `swift build -c release --product axllama`). Each engine's peak RSS is that of its own
process (ru_maxrss from wait4), so both include the mapped model pages they touched; llama.cpp's
also includes the Python interpreter, whose share (the worker's RSS before it loads the model)
is reported beside it. Both get the same context length, the smallest that fits the run.

Usage:
  scripts/bench-vs-llamacpp.py --model FILE.gguf [--threads 2] [--rounds 3] [--json-out FILE]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
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


def wait_for_peak_rss(process):
    """Reaps `process` and returns its peak resident set size in KiB (Linux reports ru_maxrss in KiB)."""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss


def axllama_round(binary, model, ids_file, lengths, n_gen, threads):
    """One `axllama bench` run over every prompt length: speeds per length and the run's peak RSS."""
    command = [binary, "bench", "--model", model, "--prompt-lengths", ",".join(map(str, lengths)),
               "--decode-tokens", str(n_gen), "--prompt-tokens-file", ids_file, "--json"]
    if threads:
        command += ["--threads", str(threads)]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        output = process.stdout.read()
        process.stdout.close()
        peak_kib = wait_for_peak_rss(process)
        if process.returncode != 0:
            errors.seek(0)
            sys.exit(f"axllama bench failed ({process.returncode}): {errors.read().decode(errors='replace')}")
    report = json.loads(output)
    out = {}
    for n in lengths:
        r = report[f"prompt_{n}"][0]
        out[n] = {"prefill_tok_s": r["promptTokens"] / r["prefillSeconds"],
                  "decode_tok_s": r["decodeTokens"] / r["decodeSeconds"]}
    return out, peak_kib


def resident_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def llama_worker(config):
    """The llama.cpp side, run in its own process: loads the model, sends the prompt's token ids,
    then answers each line on stdin with one round over every prompt length."""
    before_load = resident_kib()
    llm = Llama(model_path=config["model"], n_ctx=config["n_ctx"], n_threads=config["threads"],
                n_threads_batch=config["threads"], seed=0, flash_attn=False, verbose=False)
    lengths, n_gen = config["lengths"], config["n_gen"]
    ids = llm.tokenize(PASSAGE.encode(), add_bos=False, special=False)
    ids = (ids * (max(lengths) // len(ids) + 1))[:max(lengths)]
    llama_round(llm, ids, 16)  # warm-up (axllama warms up inside its own bench)
    print(json.dumps({"ids": ids, "rss_before_load_kib": before_load}), flush=True)
    for _ in sys.stdin:
        print(json.dumps({n: llama_round(llm, ids[:n], n_gen) for n in lengths}), flush=True)


class LlamaWorker:
    def __init__(self, config):
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--model", config["model"],
                                         "--llama-worker", json.dumps(config)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        hello = json.loads(self._answer())
        self.ids, self.rss_before_load_kib = hello["ids"], hello["rss_before_load_kib"]

    def _answer(self):
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"the llama.cpp worker stopped (exit status {self.process.wait()})")
        return line

    def round(self):
        self.process.stdin.write("round\n")
        self.process.stdin.flush()
        return {int(n): v for n, v in json.loads(self._answer()).items()}

    def finish(self):
        """Ends the worker and returns its peak RSS in KiB."""
        self.process.stdin.close()
        peak = wait_for_peak_rss(self.process)
        self.process.stdout.close()
        return peak


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
    ap.add_argument("--llama-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.llama_worker:
        return llama_worker(json.loads(args.llama_worker))
    lengths = [int(x) for x in args.prompt_lens.split(",")]
    # axllama bench sizes its cache to the prompt plus the decoded tokens (plus the warm-up's
    # last token); llama.cpp gets the same so neither engine's RSS carries a larger cache.
    n_ctx = max(lengths) + args.n_gen + 1
    if not os.access(args.axllama, os.X_OK):
        sys.exit(f"no axllama binary at {args.axllama}: build it with `swift build -c release --product axllama`")

    llama = LlamaWorker({"model": args.model, "n_ctx": n_ctx, "threads": args.threads,
                         "lengths": lengths, "n_gen": args.n_gen})
    ids = llama.ids
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(ids, f)
        ids_file = f.name

    rounds = []
    axllama_peaks = []
    load_start = os.getloadavg()
    for _ in range(args.rounds):
        a = llama.round()
        b, peak = axllama_round(args.axllama, args.model, ids_file, lengths, args.n_gen, args.threads)
        axllama_peaks.append(peak)
        rounds.append({"llama.cpp": a, "axllama": b})
    os.unlink(ids_file)
    peak_rss = {"axllama_kib": max(axllama_peaks), "axllama_kib_per_round": axllama_peaks,
                "llama_cpp_kib": llama.finish(), "llama_cpp_before_model_load_kib": llama.rss_before_load_kib}

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
    mib = 1024.0
    print(f"{'peak RSS MiB (lower is better)':34} {peak_rss['axllama_kib'] / mib:9.1f} "
          f"{peak_rss['llama_cpp_kib'] / mib:9.1f} {peak_rss['axllama_kib'] / peak_rss['llama_cpp_kib']:6.2f}  "
          f"(llama.cpp's Python worker held {peak_rss['llama_cpp_before_model_load_kib'] / mib:.1f} MiB "
          f"before loading the model; n_ctx {n_ctx})")
    result = {"model": os.path.basename(args.model), "threads": args.threads, "rounds": args.rounds,
              "n_gen": args.n_gen, "n_ctx": n_ctx, "llama_cpp_python": llama_cpp.__version__, "flash_attn": False,
              "loadavg_start": load_start, "loadavg_end": os.getloadavg(),
              "summary": summary, "peak_rss": peak_rss,
              "raw": [{k: {str(n): v for n, v in r[k].items()} for k in r} for r in rounds]}
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
