#!/usr/bin/env bash
# GPU offload check, for a machine with an NVIDIA GPU and CUDA (nvcc on PATH).
#
#   bench/gpu_check.sh [MODEL.gguf]
#
# Builds llama-cpp-python with CUDA into a scratch venv, loads a model with n_gpu_layers=-1, confirms the
# layers are offloaded, and prints prompt and generation tokens/s for the GPU beside the CPU (n_gpu_layers=0).
# The model defaults to the packaged default (it must be installed in this repo's .venv, or pass a GGUF path).
# Set CUDA_ARCH (default 90, Hopper) and LLAMA_SDIST (a local llama_cpp_python-0.3.36.tar.gz) as needed.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=${1:-}
ARCH=${CUDA_ARCH:-90}
VENV=${GPU_VENV:-/tmp/interviewer-gpu-venv}
SRC=${LLAMA_SDIST:-llama-cpp-python==0.3.36}

nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
if [ -z "$MODEL" ]; then
  MODEL=$(.venv/bin/python -c "from interviewer.llm.catalog import CATALOG; print(CATALOG['qwen2.5-coder-1.5b'].path())")
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  start=$(date +%s)
  CMAKE_ARGS="-DGGML_CUDA=on -DCMAKE_CUDA_ARCHITECTURES=$ARCH -DLLAVA_BUILD=OFF" CMAKE_BUILD_PARALLEL_LEVEL=$(nproc) \
    "$VENV/bin/pip" install -q --no-cache-dir "$SRC" numpy
  echo "CUDA build of llama-cpp-python: $(( $(date +%s) - start )) s"
fi

LOG=$(mktemp)
"$VENV/bin/python" - "$MODEL" 2> >(tee "$LOG" >&2) <<'PY'
import sys, time
import numpy as np
import llama_cpp

path = sys.argv[1]
print("GPU offload supported by this build:", bool(llama_cpp.llama_supports_gpu_offload()))
text = ("Retrieval-augmented generation combines a retriever with a generator and grounds answers in documents. " * 40)
rows = []
for layers in (-1, 0):
    llm = llama_cpp.Llama(model_path=path, n_gpu_layers=layers, n_ctx=2048, verbose=(layers != 0))
    n_layers = llm._model.n_layer() if hasattr(llm._model, "n_layer") else "?"
    toks = llm.tokenize(text.encode(), add_bos=True)[:512]
    t = time.perf_counter(); llm.eval(toks); prompt_s = time.perf_counter() - t
    t = time.perf_counter()
    for _ in range(128):
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),))
        llm.eval([int(logits.argmax())])
    gen_s = time.perf_counter() - t
    rows.append((("GPU" if layers else "CPU"), layers, n_layers, len(toks) / prompt_s, 128 / gen_s))
    llm.close()
print("| device | n_gpu_layers | model layers | prompt tok/s | generation tok/s |")
print("|---|---|---|---|---|")
for r in rows:
    print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.1f} | {r[4]:.1f} |")
PY
sleep 1
echo "llama.cpp says:"; grep -iE "offloaded [0-9]+/[0-9]+ layers|CUDA0 model buffer" "$LOG" || { echo "no layers were offloaded"; exit 1; }

# The project's grader on the GPU and on the CPU: seconds per interview-length answer (bench/interview_speed.py).
# Needs the project's pure-Python dependencies in the scratch venv (from PyPI, or wheels carried to the machine).
if [ "${GRADE:-1}" = 1 ]; then
  "$VENV/bin/pip" install -q --no-deps -e . \
    && "$VENV/bin/pip" install -q pydantic pydantic-settings pyyaml jinja2 google-re2 snowballstemmer click rich \
    || { echo "could not install the grader's dependencies; set GRADE=0 to skip"; exit 1; }
  for layers in -1 0; do
    echo "grader with n_gpu_layers=$layers:"
    INTERVIEWER_N_GPU_LAYERS=$layers INTERVIEWER_HOME=$(mktemp -d) "$VENV/bin/python" bench/interview_speed.py \
      --model "local:$MODEL" | tail -1
  done
fi
