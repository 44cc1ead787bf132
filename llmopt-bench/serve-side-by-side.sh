#!/usr/bin/env bash
# Serving throughput side by side: `llmopt serve` and llama.cpp's `llama-server -np 8 -cb` on the same GGUF,
# both driven by `llmopt loadtest` (streaming /v1/completions, EOS ignored), then the prefix-cache effect on the
# time to first token of a long chat's second turn (llmopt with and without --no-prefix-cache).
# Usage: llmopt-bench/serve-side-by-side.sh MODEL.gguf LLAMA_CPP_BIN_DIR [PROMPT_LEN] [MAX_TOKENS]
#   env: ONLY_PREFIX=1 runs only the prefix-cache part, SKIP_PREFIX=1 only the throughput part
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
model="${1:?usage: serve-side-by-side.sh MODEL.gguf LLAMA_CPP_BIN_DIR [PROMPT_LEN] [MAX_TOKENS]}"
bin="${2:?llama.cpp bin dir}"
plen="${3:-64}"
ntok="${4:-32}"
port=18480
llmopt="$root/llmopt"
"$llmopt" --version >/dev/null 2>&1 || true
url="http://127.0.0.1:$port"
pid=""
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi; }
trap stop EXIT
next_port() { port=$((port + 1)); url="http://127.0.0.1:$port"; }  # a fresh port per server: no bind races
wait_up() {
  for _ in $(seq 1 600); do
    curl -sf "$url/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "server exited; see its log in /tmp" >&2; exit 1; }
    sleep 0.5
  done
  echo "server did not start" >&2; exit 1
}
load() { # concurrency requests
  "$llmopt" loadtest --url "$url" --model m --concurrency "$1" --requests "$2" --prompt-len "$plen" --max-tokens "$ntok" --json
}
row() { # engine concurrency json
  jq -r --arg e "$1" --arg c "$2" '"| \($e) | \($c) | \(.completed)/\(.requests) | \(.failed) | \(.output_throughput*10|round/10) | \(.ttft_ms.p50|round) / \(.ttft_ms.p99|round) | \(.itl_ms.p50*10|round/10) / \(.itl_ms.p99*10|round/10) |"' <<<"$3"
}
if [ "${ONLY_PREFIX:-0}" != 1 ]; then
echo "| server | concurrency | ok | failed | output tok/s | TTFT p50 / p99 (ms) | ITL p50 / p99 (ms) |"
echo "|---|---|---|---|---|---|---|"
next_port; "$llmopt" serve -m "m=$model" --port "$port" -t 2 -c 2048 --max-num-seqs 64 --max-batched-tokens 512 >/tmp/llmopt-serve.log 2>&1 &
pid=$!; wait_up
for c in 1 8 16 64; do r=$((c < 8 ? 4 : c)); row llmopt "$c" "$(load "$c" "$r")"; done
stop
next_port; "$bin/llama-server" -m "$model" --port "$port" -t 2 -np 8 -cb -c 16384 >/tmp/llama-server.log 2>&1 &
pid=$!; wait_up
for c in 1 8; do r=$((c < 8 ? 4 : c)); row "llama-server -np 8 -cb" "$c" "$(load "$c" "$r")"; done
stop
fi

# prefix cache: turn 1 = a long prompt, turn 2 = turn 1's prompt + its answer + a new message; TTFT of turn 2
# measured as the time of a max_tokens=1 completion
ttft_second_turn() { # extra serve flags
  next_port; "$llmopt" serve -m "m=$model" --port "$port" -t 2 -c 2048 "$@" >/tmp/llmopt-serve.log 2>&1 &
  pid=$!; wait_up
  local text ids answer ids2 req t
  text="$(for i in $(seq 1 120); do printf 'the little dog ran to the park and played with a red ball. '; done)"
  ids=$(curl -sf "$url/tokenize" -H 'Content-Type: application/json' -d "$(jq -n --arg p "$text" '{model:"m",prompt:$p}')" | jq -c '.tokens[:1500]')
  answer=$(curl -sf "$url/v1/completions" -H 'Content-Type: application/json' -d "{\"model\":\"m\",\"prompt\":$ids,\"max_tokens\":16,\"temperature\":0}" | jq -r '.choices[0].text')
  ids2=$(curl -sf "$url/tokenize" -H 'Content-Type: application/json' -d "$(jq -n --arg p "$answer then they went home." '{model:"m",prompt:$p,add_special_tokens:false}')" | jq -c '.tokens')
  req=$(jq -cn --argjson a "$ids" --argjson b "$ids2" '{model:"m",prompt:($a + $b),max_tokens:1,temperature:0}')
  t=$(curl -sf -o /dev/null -w '%{time_total}' "$url/v1/completions" -H 'Content-Type: application/json' -d "$req")
  stop
  echo "$t"
}
[ "${SKIP_PREFIX:-0}" = 1 ] && exit 0
on=$(ttft_second_turn)
port=$((port + 10))
off=$(ttft_second_turn --no-prefix-cache)
echo
echo "second turn of a $(( 1500 ))-token chat, time to first token: prefix cache on ${on}s, off ${off}s ($(python3 -c "print(f'{$off/$on:.1f}')")x)"
