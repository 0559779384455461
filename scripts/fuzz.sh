#!/usr/bin/env bash
# libFuzzer over every parser of bytes that come from the network or the disk (Fuzz/; see
# docs/security.md, "Fuzzing"):
#
#   scripts/fuzz.sh [--seconds N] [--seed N] [--build-only] [--debug] [TARGET...]
#
# TARGET is wire, store, text, config, auth or warm (default: all, one after the other). Each is
# built optimized (--debug: not) and instrumented (AddressSanitizer + libFuzzer coverage;
# integer overflow and bounds checks stay on) in .build-fuzz, gets fresh seeds
# in .build-fuzz/seeds/TARGET (golden wire encodings, real store directories, the repository's
# docs and config files, a real tokens file), keeps the corpus it grows in
# .build-fuzz/corpus/TARGET, and runs for N seconds (default 60). A crash, a sanitizer report,
# a leak or a violated property stops the run: the input is saved in .build-fuzz/crashes/TARGET/
# and the script exits 1. Prints the executions of every target. --seed fixes libFuzzer's
# random seed (the test script's short pass uses 1, so that a failure there repeats).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
seed=0
build_only=0
configuration=release
targets=()
while (($#)); do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --build-only) build_only=1; shift ;;
        --debug) configuration=debug; shift ;;
        wire|store|text|config|auth|warm) targets+=("$1"); shift ;;
        *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64 ;;
    esac
done
((${#targets[@]})) || targets=(wire store text config auth warm)

scratch=.build-fuzz
flags=(-c "$configuration" --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address)
for target in "${targets[@]}"; do
    echo "fuzz: building fuzz-$target ($configuration, instrumented, $scratch)"
    swift build "${flags[@]}" --product "fuzz-$target" 2>&1 | grep -E 'error|warning: unre|Build' | grep -v 'Cannot export' || true
    swift build "${flags[@]}" --product "fuzz-$target" >/dev/null 2>&1 || { echo "fuzz: build of fuzz-$target failed" >&2; exit 1; }
done
((build_only)) && exit 0
bin=$(swift build "${flags[@]}" --show-bin-path)

# The Swift runtime's crash handler would keep a crashed target alive for its backtrace;
# libFuzzer reports crashes itself.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}

summary=()
failed=0
for target in "${targets[@]}"; do
    seeds=$scratch/seeds/$target corpus=$scratch/corpus/$target crashes=$scratch/crashes/$target
    rm -rf "$seeds"
    mkdir -p "$corpus" "$crashes"
    "$bin/fuzz-$target" --write-seeds "$seeds"
    log=$scratch/fuzz-$target.log
    echo "fuzz: fuzz-$target for ${seconds}s ($(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) in the corpus)"
    status=0
    "$bin/fuzz-$target" "$corpus" "$seeds" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=16384 \
        -print_final_stats=1 -seed="$seed" -artifact_prefix="$crashes/" >"$log" 2>&1 || status=$?
    runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
    rate=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}' | tail -1)
    if ((status != 0)); then
        failed=1
        tail -40 "$log"
        artifact=$(grep -oE "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/Test unit written to //')
        echo "fuzz: fuzz-$target FAILED (exit $status); input: ${artifact:-see $log}" >&2
        echo "fuzz: replay it with: swift build --product fuzz-$target && .build/debug/fuzz-$target ${artifact:-INPUT}" >&2
        echo "fuzz: once fixed, keep it: cp ${artifact:-INPUT} Fuzz/regressions/$target/ (replayed by FuzzRegressionTests)" >&2
        summary+=("$(printf '%-8s %12s executions %8s/s  CRASH' "$target" "${runs:-?}" "${rate:-?}")")
    else
        summary+=("$(printf '%-8s %12s executions %8s/s  %5s corpus inputs' "$target" "${runs:-?}" "${rate:-?}" "$(ls "$corpus" | wc -l)")")
    fi
done
printf '\nfuzz: %s\n' "results (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
exit $failed
