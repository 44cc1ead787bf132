#!/usr/bin/env bash
# HotSpot's tier-2 trap (llmopt-bench/stress/TierTrap.java): decode of each FILE after a small model of the same
# type warmed the kernels up while FILE loaded, with the JVM's default Tier3DelayOn (5) and with the launcher's
# (100000, which never compiles at tier 2 for a long C2 queue). A kernel caught in the trap stays in C1 code.
# Usage: llmopt-bench/tier-trap.sh TYPE FILE.gguf [FILE.gguf ...]   (TYPE: the files' quantization, for the small model)
# env: ROUNDS (2): JVMs per setting and file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 TYPE FILE.gguf [FILE.gguf ...]" >&2; exit 2; }
type="$1"; shift
ROUNDS="${ROUNDS:-2}"
source "$here/.mvn/find-jdk.sh"
java="$(llmopt_find_jdk)/bin/java"
cp="$here/llmopt-cli/target/llmopt-cli.jar:$here/llmopt-cli/target/lib/*"
[ -f "$here/llmopt-cli/target/llmopt-cli.jar" ] || { echo "tier-trap: build first (./mvnw -q package -DskipTests)" >&2; exit 2; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/config.json" <<'JSON'
{"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":512,"intermediate_size":1024,"num_hidden_layers":1,
 "num_attention_heads":8,"num_key_value_heads":2,"vocab_size":512,"rms_norm_eps":1e-5,"rope_theta":10000.0,
 "max_position_embeddings":256,"tie_word_embeddings":false,"hidden_act":"silu"}
JSON
"$here/llmopt" init --config "$tmp/config.json" --type f16 -o "$tmp/small-f16.gguf" >/dev/null 2>&1
if [ "${type^^}" = F16 ]; then small="$tmp/small-f16.gguf"; else
  "$here/llmopt" quantize "$tmp/small-f16.gguf" "$tmp/small.gguf" "$type" >/dev/null 2>&1; small="$tmp/small.gguf"; fi
echo "| file | setting | load, warm-up, prompt, decode |"
echo "| --- | --- | --- |"
for f in "$@"; do
  for r in $(seq "$ROUNDS"); do
    for delay in 5 100000; do
      out="$("$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -XX:Tier3DelayOn=$delay \
        -cp "$cp" "$here/llmopt-bench/stress/TierTrap.java" "$f" "$small" 2>/dev/null | tail -1)"
      echo "| $(basename "$f") | Tier3DelayOn=$delay | $out |"
    done
  done
done
