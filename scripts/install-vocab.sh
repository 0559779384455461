#!/usr/bin/env bash
# Installs the tiktoken vocabularies Strata's exact tokenizers read (cl100k_base, o200k_base).
#
# Usage: scripts/install-vocab.sh [PYTHON]
#   PYTHON  the python of the project's virtual environment (default: .venv/bin/python at the
#           repository root). bpe-openai (which ships the vocabulary files as
#           bpe_openai/data/*.tiktoken.gz) and tiktoken (the reference tokenizer of the interop
#           tests and the token benchmark) are pip-installed into it when missing.
#
# Files go to $STRATA_VOCAB_DIR, else ${XDG_DATA_HOME:-$HOME/.local/share}/strata/vocab,
# gunzipped (Strata reads plain .tiktoken files) and checked against the SHA-256 tiktoken
# expects. Re-running is a quick no-op (a missing or corrupt file is reinstalled).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${1:-$repo_root/.venv/bin/python}"
vocab_dir="${STRATA_VOCAB_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/strata/vocab}"
encodings=(cl100k_base o200k_base)
# The SHA-256 tiktoken itself expects of these files (tiktoken_ext/openai_public.py): the
# copies inside bpe-openai must be byte-identical to OpenAI's published vocabularies.
declare -A expected_sha256=(
    [cl100k_base]=223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7
    [o200k_base]=446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d
)

verify() {  # verify NAME FILE
    local actual
    actual="$(sha256sum "$2" | cut -d' ' -f1)"
    [[ "$actual" == "${expected_sha256[$1]}" ]]
}

all_present=1
for name in "${encodings[@]}"; do
    if [[ ! -s "$vocab_dir/$name.tiktoken" ]] || ! verify "$name" "$vocab_dir/$name.tiktoken"; then
        all_present=0
    fi
done
# The interop tests and the benchmark also need tiktoken in that python; look for the
# packages in a venv layout without starting python (which takes about a second).
venv_root="$(dirname "$(dirname "$python")")"
if ! compgen -G "$venv_root/lib/python3*/site-packages/tiktoken" >/dev/null \
   || ! compgen -G "$venv_root/lib/python3*/site-packages/bpe_openai" >/dev/null; then
    all_present=0
fi
if [[ $all_present == 1 ]]; then
    echo "install-vocab: vocabularies in $vocab_dir (already installed)"
    exit 0
fi

if [[ ! -x "$python" ]]; then
    echo "install-vocab: no python at $python (create the venv first: python3 -m venv .venv)" >&2
    exit 1
fi

if ! "$python" -c 'import bpe_openai, tiktoken' 2>/dev/null; then
    echo "install-vocab: pip-installing bpe-openai and tiktoken into $python"
    "$python" -m pip install --quiet bpe-openai tiktoken
fi

data_dir="$("$python" -c 'import os, bpe_openai; print(os.path.join(os.path.dirname(bpe_openai.__file__), "data"))')"
mkdir -p "$vocab_dir"
for name in "${encodings[@]}"; do
    target="$vocab_dir/$name.tiktoken"
    source="$data_dir/$name.tiktoken.gz"
    if [[ -s "$target" ]] && verify "$name" "$target"; then
        continue
    fi
    if [[ ! -f "$source" ]]; then
        echo "install-vocab: $source is missing; is bpe-openai installed in $python?" >&2
        exit 1
    fi
    # Write to a temporary name and rename, so an interrupted run never leaves a truncated
    # vocabulary that would later load as a wrong one.
    gzip -dc "$source" > "$target.tmp.$$"
    if ! verify "$name" "$target.tmp.$$"; then
        rm -f "$target.tmp.$$"
        echo "install-vocab: $source does not have the SHA-256 tiktoken expects for $name; refusing it" >&2
        exit 1
    fi
    mv "$target.tmp.$$" "$target"
    echo "install-vocab: installed $target"
done
echo "install-vocab: vocabularies in $vocab_dir"
