#!/usr/bin/env bash
# Kernel and machine-ceiling benchmarks (JMH). Usage:
#   llmopt-bench/run.sh              the standard set, a few minutes: ceilings, GEMV of the main types, GEMM
#   llmopt-bench/run.sh ARGS...      any JMH command line, e.g. KernelBench -p type=Q4_K -p batch=1,64
# Builds the shaded jar with the reactor (never `install`), then prints JMH's table and one with GB/s
# and GFLOP/s. Note the machine's load (uptime) beside any number you keep: other work skews it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$root/.mvn/find-jdk.sh"
JAVA_HOME="$(llmopt_find_jdk)"
(cd "$root" && ./mvnw -B -q -pl llmopt-bench -am package -DskipTests)
run() { "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -jar "$here/target/benchmarks.jar" "$@"; }
uptime
short=(-f 1 -wi 3 -w 1s -i 5 -r 1s -jvmArgsAppend "--add-modules jdk.incubator.vector")
if [ "$#" -gt 0 ]; then
  run "${short[@]}" "$@"
  exit
fi
run "${short[@]}" MachineCeilings
run "${short[@]}" KernelBench -p type=F16,BF16,Q8_0,Q4_0,Q4_1,Q5_0,Q5_1,Q2_K,Q3_K,Q4_K,Q5_K,Q6_K \
  -p shape=5632x2048 -p batch=1 -p threads=1,2
run "${short[@]}" KernelBench -p type=F32,F16,Q8_0,Q4_0,Q4_K,Q6_K -p shape=2048x2048 -p batch=64 -p threads=1,2
uptime
