#!/usr/bin/env bash
# Side-by-side speed of llmopt and llama.cpp's llama-bench on the same GGUF files, same settings.
# Usage: llmopt-bench/side-by-side.sh LLAMA_BIN_DIR FILE.gguf [FILE.gguf ...]
#   env: P (prompt tokens, 512), N (generated tokens, 128), T (threads, 2), R (repetitions, 3)
# Prints one Markdown table: file, type, size, pp both, tg both, ratios (llmopt / llama.cpp), llmopt's unmeasured
# pp warm-up runs (llama-bench makes one, llmopt bench three: the JIT compiles the kernels during them), plus the load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 LLAMA_BIN_DIR FILE.gguf [FILE.gguf ...]" >&2; exit 2; }
bin="$1"; shift
P="${P:-512}"; N="${N:-128}"; T="${T:-2}"; R="${R:-3}"
[ -x "$bin/llama-bench" ] || { echo "side-by-side: no llama-bench in $bin" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "load before: $(uptime)" >&2
rows=()
for f in "$@"; do
  b="$(basename "$f")"
  echo "== $b: llama-bench" >&2
  "$bin/llama-bench" -m "$f" -p "$P" -n "$N" -t "$T" -r "$R" -o json >"$tmp/l.json" 2>"$tmp/l.err" \
    || { cat "$tmp/l.err" >&2; exit 1; }
  echo "== $b: llmopt bench" >&2
  "$here/llmopt" bench -m "$f" -p "$P" -n "$N" -t "$T" -r "$R" --json >"$tmp/o.json" 2>"$tmp/o.err" \
    || { cat "$tmp/o.err" >&2; exit 1; }
  rows+=("$(python3 - "$b" "$tmp/l.json" "$tmp/o.json" "$P" "$N" <<'PY'
import json, sys
name, lf, of, p, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
l = json.load(open(lf)); o = json.load(open(of))
def lc(kind):
    for r in l:
        if (kind == "pp" and r["n_prompt"] == p and r["n_gen"] == 0) or (kind == "tg" and r["n_gen"] == n and r["n_prompt"] == 0):
            return r["avg_ts"], r["stddev_ts"]
    return None
def lo(test):
    for r in o:
        if r["test"] == test:
            return r["tokens_per_second"], r["stddev"]
    return None
pl, tl, po, to = lc("pp"), lc("tg"), lo("pp%d" % p), lo("tg%d" % n)
fmt = lambda v: "%.2f ± %.2f" % v if v else "–"
ratio = lambda a, b: "%.2f×" % (a[0] / b[0]) if a and b else "–"
typ = o[0]["model_type"] if o else "?"
size = "%.0f MiB" % (l[0]["model_size"] / 2**20)
def warm(test):
    for r in o:
        if r["test"] == test:
            return " / ".join("%.1f" % v for v in r.get("warmup_tokens_per_second", [])) or "–"
    return "–"
print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (name, typ, size, fmt(po), fmt(pl), ratio(po, pl), fmt(to), fmt(tl), ratio(to, tl), warm("pp%d" % p)))
PY
)")
done
echo "| file | type | size | pp$P llmopt | pp$P llama.cpp | pp ratio | tg$N llmopt | tg$N llama.cpp | tg ratio | llmopt pp$P warm-up runs (JIT) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${rows[@]}"
echo
echo "threads $T, repetitions $R; load after: $(uptime)"
