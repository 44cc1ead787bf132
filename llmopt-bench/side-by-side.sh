#!/usr/bin/env bash
# Side-by-side speed of llmopt and llama.cpp's llama-bench on the same GGUF files, same settings.
# Usage: llmopt-bench/side-by-side.sh LLAMA_BIN_DIR FILE.gguf [FILE.gguf ...]
#   env: P (prompt tokens, 512), N (generated tokens, 128), T (threads, 2), R (repetitions, 3),
#        K (rounds, 1: each engine runs K times per file, alternating which goes first; cells then show the median of
#        the rounds' means with every round's mean in parentheses, and the ratios are of the medians)
# Prints one Markdown table: file, type, size, pp both, tg both, ratios (llmopt / llama.cpp), llmopt's unmeasured
# pp warm-up runs (llama-bench makes one, llmopt bench three: the JIT compiles the kernels during them), plus the load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 LLAMA_BIN_DIR FILE.gguf [FILE.gguf ...]" >&2; exit 2; }
bin="$1"; shift
P="${P:-512}"; N="${N:-128}"; T="${T:-2}"; R="${R:-3}"; K="${K:-1}"
[ -x "$bin/llama-bench" ] || { echo "side-by-side: no llama-bench in $bin" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "load before: $(uptime)" >&2
rows=()
for f in "$@"; do
  b="$(basename "$f")"
  for k in $(seq 1 "$K"); do
    # alternate which engine goes first: the host's memory bandwidth drifts over seconds (BENCHMARKS, session 21)
    if [ $((k % 2)) = 1 ]; then order="llama llmopt"; else order="llmopt llama"; fi
    for e in $order; do
      if [ "$e" = llama ]; then
        echo "== $b: llama-bench (round $k)" >&2
        "$bin/llama-bench" -m "$f" -p "$P" -n "$N" -t "$T" -r "$R" -o json >"$tmp/l.$k.json" 2>"$tmp/l.err" \
          || { cat "$tmp/l.err" >&2; exit 1; }
      else
        echo "== $b: llmopt bench (round $k)" >&2
        "$here/llmopt" bench -m "$f" -p "$P" -n "$N" -t "$T" -r "$R" --json >"$tmp/o.$k.json" 2>"$tmp/o.err" \
          || { cat "$tmp/o.err" >&2; exit 1; }
      fi
    done
  done
  rows+=("$(python3 - "$b" "$tmp" "$K" "$P" "$N" <<'PY'
import json, sys, statistics
name, tmp, K, p, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
ls = [json.load(open("%s/l.%d.json" % (tmp, k))) for k in range(1, K + 1)]
os_ = [json.load(open("%s/o.%d.json" % (tmp, k))) for k in range(1, K + 1)]
def lc(l, kind):
    for r in l:
        if (kind == "pp" and r["n_prompt"] == p and r["n_gen"] == 0) or (kind == "tg" and r["n_gen"] == n and r["n_prompt"] == 0):
            return r["avg_ts"], r["stddev_ts"]
    return None
def lo(o, test):
    for r in o:
        if r["test"] == test:
            return r["tokens_per_second"], r["stddev"]
    return None
def cell(vs):
    vs = [v for v in vs if v]
    if not vs:
        return "–", None
    if len(vs) == 1:
        return "%.2f ± %.2f" % vs[0], vs[0][0]
    means = [v[0] for v in vs]
    med = statistics.median(means)
    return "%.2f (%s)" % (med, " / ".join("%.1f" % m for m in means)), med
def ratio(a, b):
    return "%.2f×" % (a / b) if a and b else "–"
ppo, ppo_m = cell([lo(o, "pp%d" % p) for o in os_])
ppl, ppl_m = cell([lc(l, "pp") for l in ls])
tgo, tgo_m = cell([lo(o, "tg%d" % n) for o in os_])
tgl, tgl_m = cell([lc(l, "tg") for l in ls])
o = os_[0]
typ = o[0]["model_type"] if o else "?"
size = "%.0f MiB" % (ls[0][0]["model_size"] / 2**20)
def warm(test):
    for r in o:
        if r["test"] == test:
            return " / ".join("%.1f" % v for v in r.get("warmup_tokens_per_second", [])) or "–"
    return "–"
print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (name, typ, size, ppo, ppl, ratio(ppo_m, ppl_m), tgo, tgl, ratio(tgo_m, tgl_m), warm("pp%d" % p)))
PY
)")
done
echo "| file | type | size | pp$P llmopt | pp$P llama.cpp | pp ratio | tg$N llmopt | tg$N llama.cpp | tg ratio | llmopt pp$P warm-up runs (JIT) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${rows[@]}"
echo
echo "threads $T, repetitions $R, rounds $K; load after: $(uptime)"
