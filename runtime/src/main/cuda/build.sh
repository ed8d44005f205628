#!/usr/bin/env bash
# Rebuilds the committed fatbin of the CUDA kernels: sm_80 and sm_90 cubins plus compute_90 PTX, which
# the driver can JIT for newer GPUs. Needs nvcc 13.0: a newer nvcc emits a PTX ISA that the 580 driver
# of our GPU machines rejects (../shared/GPU.md §3). Also records the sources' hash, which
# CudaSourceTest compares so a stale fatbin fails the build on machines without nvcc too.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../resources/org/nnc/backend/cuda"
nvcc="${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
version="$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p')"
if [ "$version" != "13.0" ]; then
  echo "build.sh: nvcc $version found, 13.0 needed (its PTX ISA 9.0 is what driver 580 accepts)" >&2
  exit 1
fi
mkdir -p "$out"
"$nvcc" -fatbin -O3 -std=c++17 \
  -gencode arch=compute_80,code=sm_80 \
  -gencode arch=compute_90,code=sm_90 \
  -gencode arch=compute_90,code=compute_90 \
  -o "$out/nnc_kernels.fatbin" "$here/nnc_kernels.cu"
sha256sum "$here/nnc_kernels.cu" | cut -d' ' -f1 > "$out/nnc_kernels.sha256"
echo "wrote $out/nnc_kernels.fatbin ($(stat -c %s "$out/nnc_kernels.fatbin") bytes)"
