#!/usr/bin/env bash
# Side-by-side quantization table for docs/BENCHMARKS.md: for each llama.cpp type/mix (with and without the
# shared importance matrix) quantize the reference model's F32 GGUF with llmopt and with llama-quantize, time
# both (wall, 2 threads, best of 3), check the files are byte-identical, and measure size, bits per weight,
# perplexity and KL divergence vs F32 with `llmopt compare` on the TinyStories validation text (-c 256, the
# method of ../shared/reference/ref-tinystories/quant.json).
# Usage: llmopt-bench/quantize-table.sh LLAMA_CPP_BIN_DIR [WORK_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bin="${1:?usage: quantize-table.sh LLAMA_CPP_BIN_DIR [WORK_DIR]}"
work="${2:-$(mktemp -d)}"
shared="${LLMOPT_SHARED:-$root/../shared}"
model="$shared/models/ref-tinystories/ref-tinystories-f32.gguf"
imatrix="$shared/models/ref-tinystories/ref-tinystories-imatrix.dat"
text="$shared/data/tinystories-v2-gpt4-valid-first100.txt"
mkdir -p "$work"
llmopt="$root/llmopt"
"$llmopt" --version >/dev/null 2>&1 || true   # build once before timing

best_of_3() { # prints the best wall time in seconds of running "$@" three times
  local best=""
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    best=$(python3 -c "b='$best'; t=$t1-$t0; print(t if not b else min(float(b), t))")
  done
  printf '%.2f' "$best"
}

rows=()
models=(-m "$model")
for spec in Q8_0 Q6_K Q5_K_M Q4_K_M Q4_0 Q3_K_M Q2_K Q4_K_M+imat Q3_K_M+imat Q2_K+imat; do
  type="${spec%+imat}"
  extra_ours=(); extra_lc=(); tag="$type"
  if [ "$spec" != "$type" ]; then
    extra_ours=(--imatrix "$imatrix"); extra_lc=(--imatrix "$imatrix"); tag="$type-imat"
  fi
  ours="$work/llmopt-$tag.gguf"; theirs="$work/llamacpp-$tag.gguf"
  t_ours=$(best_of_3 "$llmopt" quantize "${extra_ours[@]}" -t 2 "$model" "$ours" "$type")
  t_lc=$(best_of_3 "$bin/llama-quantize" "${extra_lc[@]}" "$model" "$theirs" "$type" 2)
  if cmp -s "$ours" "$theirs"; then same="byte-identical"; else same="DIFFERENT"; fi
  rows+=("$tag|$(stat -c %s "$ours")|$t_ours|$t_lc|$same")
  models+=(-m "$ours")
done
"$llmopt" compare "${models[@]}" -f "$text" -c 256 -t 2 -o "$work/compare" --json >"$work/compare.json" 2>"$work/compare.log"
python3 - "$work/compare.json" "$shared/reference/ref-tinystories/quant.json" "${rows[@]}" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
ref = {m["label"]: m for m in json.load(open(sys.argv[2]))["models"]}
by_label = {e["label"]: e for e in report["entries"]}
text = "tinystories-v2-gpt4-valid-first100"
print(f"Text {report['text']}, -c {report['ctx']}, {report['tokens_scored']} scored tokens; KLD over the base model's top-{report['top_k']} log-probs.")
print()
print("| type | file bytes | bpw | llmopt PPL | ΔPPL | llmopt mean KLD | llama-perplexity PPL / KLD of llama-quantize's file | llmopt quantize (s) | llama-quantize (s) | files |")
print("|---|---|---|---|---|---|---|---|---|---|")
f32 = report["entries"][0]
r = ref["f32"][text]
print(f"| F32 | {f32['file_bytes']:,} | {f32['bits_per_weight']:.3f} | {f32['ppl']:.4f} ± {f32['ppl_stderr']:.4f} | — | — | {r['ppl']} | — | — | — |")
for row in sys.argv[3:]:
    tag, size, t_ours, t_lc, same = row.split("|")
    e = by_label[f"llmopt-{tag}.gguf"]
    m = ref.get(tag, {})
    lc = f"{m[text]['ppl']} / {m['kld_vs_f32']['mean_kld']}" if m else "—"
    print(f"| {tag} | {e['file_bytes']:,} | {e['bits_per_weight']:.3f} | {e['ppl']:.4f} ± {e['ppl_stderr']:.4f} | {e['delta_ppl_percent']:+.2f} % | {e['kld_mean']:.6f} | {lc} | {t_ours} | {t_lc} | {same} |")
PY
echo "work dir: $work" >&2
