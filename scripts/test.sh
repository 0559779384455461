#!/usr/bin/env bash
# The README's test command: installs what is missing, checks the generated code, builds,
# runs every Swift test, the Python interop tests against the real executables, the RPC
# layer's and the etcd client's tests again under AddressSanitizer (leaks included), and every
# libFuzzer target for a short while (scripts/fuzz.sh).
#
#   ./scripts/test.sh            everything (what CI runs)
#   ./scripts/test.sh --no-asan  skip the AddressSanitizer and fuzzing passes (quicker local runs)
#   ./scripts/test.sh --asan     only the AddressSanitizer and fuzzing passes
set -euo pipefail
cd "$(dirname "$0")/.."

mode=all
case "${1:-}" in
    --no-asan) mode=plain ;;
    --asan) mode=asan ;;
    "") ;;
    *) echo "usage: $0 [--no-asan|--asan]" >&2; exit 64 ;;
esac

# One private temporary directory for the whole run, removed when the script exits however it
# exits: everything the tests create under $TMPDIR goes with it, and so does what the toolchain
# leaks (swift-driver leaves an empty /tmp/TemporaryDirectory.* behind on every build).
run_tmp="$(mktemp -d "${TMPDIR:-/tmp}/strata-test-run.XXXXXX")"
trap 'rm -rf "$run_tmp"' EXIT
export TMPDIR="$run_tmp"

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
./scripts/install-deps.sh

step "generated protobuf-c code (and the trimmed etcd protos) match a fresh generation"
./scripts/gen-proto.sh
if [[ -n "$(git status --porcelain -- Sources/CStrataProto Proto)" ]]; then
    git status --short -- Sources/CStrataProto Proto
    echo "test: Proto/etcd or Sources/CStrataProto differs from a fresh generation; run ./scripts/gen-proto.sh and commit" >&2
    exit 1
fi

if [[ $mode != asan ]]; then
    step "build"
    swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]' || true
    swift build --build-tests >/dev/null  # fail the script if the build failed

    # The control plane's tests start etcd members and keep 2-second leases alive: among the
    # hundreds of other tests on two cores their tasks starve for longer than a lease lives, so
    # they run in a step of their own, right after.
    control_plane='StrataEtcdTests|StrataControlPlaneTests|TallyTakeoverTests|SharedTokensTests'
    step "swift tests"
    # At most 4 tests in flight: Swift Testing otherwise starts all ~600 at once on a pool as
    # wide as the cores, and a test whose in-process handler or node needs a pool thread waited
    # behind every other test's work -- over 60 s in CI, past the deadlines of calls that
    # expect an answer. (Swift Testing's own switch; a toolchain without it runs them all.)
    SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=4 \
    swift test --skip-build --parallel --skip "$control_plane" 2>&1 | tee .build/swift-test.log | grep -vE '^(◇|↳|✔ Test [a-zA-Z]+\(\) passed)' || true
    grep -qE 'Test run with [0-9]+ tests? .*passed' .build/swift-test.log || { echo "test: swift tests failed" >&2; exit 1; }

    step "control plane tests (etcd client, store, election against real etcd members)"
    swift test --skip-build --filter "$control_plane" 2>&1 | tee .build/swift-test-control-plane.log | grep -vE '^(◇|↳|✔ Test [a-zA-Z]+\(\) passed)|noTwoLeadersAndEpochsOnlyGrow\(seed:\) passed' || true
    grep -qE 'Test run with [0-9]+ tests? .*passed' .build/swift-test-control-plane.log || { echo "test: control plane tests failed" >&2; exit 1; }

    step "interop tests (Python grpcio against the executables)"
    STRATA_BIN_DIR="$(swift build --show-bin-path)" .venv/bin/python -m pytest -q Tests/interop
fi

if [[ $mode != plain ]]; then
    step "RPC and wire layers and the etcd client under AddressSanitizer"
    asan_flags=(--scratch-path .build-asan -Xswiftc -sanitize=address)
    swift build --build-tests "${asan_flags[@]}" 2>&1 | grep -E 'error|warning: unre|Compiling|Build' | grep -vE '^\[[0-9]+/[0-9]+\] Compiling' || true
    ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
        swift test --skip-build --disable-xctest "${asan_flags[@]}" --filter 'StrataRPCTests|StrataWireTests|StrataEtcdTests' 2>&1 | tee .build-asan/asan-test.log | grep -E '✘|Test run|ERROR: AddressSanitizer|LeakSanitizer' || true
    grep -qE 'Test run with [0-9]+ tests? .*passed' .build-asan/asan-test.log || { echo "test: RPC tests failed under AddressSanitizer" >&2; exit 1; }
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)' .build-asan/asan-test.log; then
        echo "test: AddressSanitizer reported errors" >&2
        exit 1
    fi

    step "fuzz targets, ${STRATA_FUZZ_SECONDS:-20} s each (scripts/fuzz.sh)"
    ./scripts/fuzz.sh --seconds "${STRATA_FUZZ_SECONDS:-20}" --seed 1
fi

step "all tests passed"
