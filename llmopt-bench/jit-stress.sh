#!/usr/bin/env bash
# Decode speed with C2's class-check traps spent, against a normal run: the state that about one JVM in eight reached
# by chance before session 18 (see Simd's class comment and BENCHMARKS "Spent class-check traps").
# -XX:TypeProfileLevel=0 turns off the speculative types, whose checks draw on a separate, larger budget;
# -XX:PerMethodTrapLimit=5 then gives every class check in a large kernel a virtual call on its miss path, as soon as
# the JDK's shared vector methods it inlines hold a few traps. A kernel that keeps a loop-carried vector in the
# receiver position then collapses (Q4_0 paged decode at 4-6 instead of about 40 steps/s).
# Runs llmopt-bench/stress/PagedDecode.java (the serving path: paged KV cache, 2048-token prompt, rounds of 64 steps)
# against the built CLI (./mvnw package first).
# Usage: llmopt-bench/jit-stress.sh FILE.gguf [FILE.gguf ...]   env: DEPTH (2048), REPS (4)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 FILE.gguf [FILE.gguf ...]" >&2; exit 2; }
DEPTH="${DEPTH:-2048}"; REPS="${REPS:-4}"
source "$here/.mvn/find-jdk.sh"
java="$(llmopt_find_jdk)/bin/java"
cp="$here/llmopt-cli/target/llmopt-cli.jar:$here/llmopt-cli/target/lib/*"
[ -f "$here/llmopt-cli/target/llmopt-cli.jar" ] || { echo "jit-stress: build first (./mvnw -q package -DskipTests)" >&2; exit 2; }
FORCE=(-XX:TypeProfileLevel=0 -XX:PerMethodTrapLimit=5)
run() { # model, extra JVM flags...: the decode rounds' steps/s after the first, space-separated
  local m="$1"; shift
  "$java" "$@" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:Tier3DelayOn=100000 -cp "$cp" \
    "$here/llmopt-bench/stress/PagedDecode.java" "$m" "$DEPTH" "$REPS" 2>/dev/null \
    | awk '/^decode/ { n++; if (n > 1) printf "%s%s", sep, $4; sep = " " }'
}
echo "| file | decode steps/s, normal | with class-check traps spent |"
echo "| --- | --- | --- |"
for f in "$@"; do
  echo "== $(basename "$f")" >&2
  echo "| $(basename "$f") | $(run "$f") | $(run "$f" "${FORCE[@]}") |"
done
