#!/usr/bin/env bash
# The GPU check (issue 8). GPU machines have no Java and no network, so it comes in two halves:
#
#   gpu/check.sh bundle   here: builds nnc and assembles gpu-bundle/ (ignored by git, < 64 MiB): a jlinked
#                         JDK 25 as .tar.gz, the jars (nnc, its test classes, JUnit's console launcher)
#                         and JCuda's driver library, which needs nothing but the GPU driver's libcuda.so.1.
#   gpu/check.sh run      on the GPU machine, from the repository root with gpu-bundle/ beside it: runs
#                         the CUDA tests, then W2 and W3 on the GPU with nnc and (where python3 has torch
#                         with CUDA) with PyTorch, and prints pass/fail counts and the nnc/PyTorch ratios.
#   gpu/check.sh run tests|sample|bench|sanitize ...   only those parts (a rerun after a fix, when device time
#                         is short); sanitize (compute-sanitizer over the CUDA tests, minutes) is not run unless named.
#   BENCH_WORKLOADS="W4"  the workloads bench times (W2 W3 unless set); SANITIZE_TOOLS="memcheck:150" the
#                         compute-sanitizer tools sanitize runs, each with its time limit in seconds.
#
# With the device tool: run "bash gpu/check.sh run" with carry ["gpu-bundle"].
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
BUNDLE="$ROOT/gpu-bundle"
JUNIT_VERSION=6.1.3
JCUDA_VERSION=12.6.0
# java.xml and jdk.jfr are what JUnit's console launcher needs, jdk.unsupported the CLI's Ctrl-C handler
# (jdeps); java.desktop (plots) stays out.
MODULES=java.base,java.logging,java.xml,jdk.jfr,jdk.unsupported,jdk.incubator.vector

bundle() {
    local jdk
    jdk=$("$ROOT/bin/find-jdk")
    (cd "$ROOT" && JAVA_HOME="$jdk" mvn -B -q -DskipTests install -pl runtime,bench,cli -am)
    rm -rf "$BUNDLE"
    mkdir -p "$BUNDLE/lib" "$BUNDLE/native"
    cp "$ROOT"/bench/target/nnc-bench-*.jar "$ROOT"/bench/target/lib/*.jar "$BUNDLE/lib/"
    cp -f "$ROOT"/cli/target/nnc-cli-*.jar "$ROOT"/cli/target/lib/*.jar "$BUNDLE/lib/"
    rm -f "$BUNDLE"/lib/jcuda-natives-*.jar "$BUNDLE"/lib/jfreechart-*.jar
    (cd "$ROOT/runtime/target/test-classes" && "$jdk/bin/jar" cf "$BUNDLE/lib/nnc-runtime-tests.jar" .)
    (cd "$ROOT" && mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_VERSION \
        -DoutputDirectory="$BUNDLE/lib")
    local natives="$HOME/.m2/repository/org/jcuda/jcuda-natives/$JCUDA_VERSION/jcuda-natives-$JCUDA_VERSION-linux-x86_64.jar"
    (cd "$BUNDLE/native" && unzip -q -j "$natives" "lib/libJCudaDriver-$JCUDA_VERSION-linux-x86_64.so")
    local tmp
    tmp=$(mktemp -d)
    "$jdk/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files --compress=zip-9 \
        --output "$tmp/jre" 2> >(grep -v 'incubator modules' >&2)
    tar -C "$tmp" -czf "$BUNDLE/jre.tar.gz" jre
    rm -rf "$tmp"
    cp "$ROOT/bench/pytorch/workloads.py" "$BUNDLE/"
    du -sh "$BUNDLE"
    local bytes
    bytes=$(du -sb "$BUNDLE" | cut -f1)
    if [ "$bytes" -ge $((64 << 20)) ]; then
        echo "gpu/check.sh: the bundle is $bytes bytes, over the 64 MiB a device call carries" >&2
        exit 1
    fi
}

run() {
    [ -d "$BUNDLE" ] || { echo "gpu/check.sh: no gpu-bundle/; run 'gpu/check.sh bundle' first and carry it" >&2; exit 2; }
    local jre=${TMPDIR:-/tmp}/nnc-jre
    [ -x "$jre/jre/bin/java" ] || { mkdir -p "$jre" && tar -C "$jre" -xzf "$BUNDLE/jre.tar.gz"; }
    local java="$jre/jre/bin/java"
    local cp
    cp=$(ls "$BUNDLE"/lib/*.jar | grep -v junit-platform-console | paste -sd:)
    local opts=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -XX:+UseParallelGC
        -Djava.library.path="$BUNDLE/native")
    echo "== machine"
    if command -v nvidia-smi >/dev/null; then
        nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    else
        echo "no nvidia-smi on this machine"
    fi
    "$java" -version 2>&1 | head -1
    local parts=" ${*:-tests sample bench} "
    [[ $parts == *" tests "* ]] && tests "$java" "$cp" "${opts[@]}"
    [[ $parts == *" sample "* ]] && sample "$java" "$cp" "${opts[@]}"
    [[ $parts == *" bench "* ]] && bench "$java" "$cp" "${opts[@]}"
    [[ $parts == *" sanitize "* ]] && sanitize "$java" "$cp" "${opts[@]}"
    return 0
}

# The parts of a run, each given java, the class path and the JVM's options.
tests() {
    local java=$1 cp=$2
    local opts=("${@:3}")
    echo "== CUDA tests (each CUDA kernel against the CPU kernel)"
    # --details=summary prints the counts and, for each failure, the test and its message. The time
    # limits here and below keep a hung kernel from spending the session's whole device budget.
    (cd "$ROOT/runtime" && timeout 300 "$java" "${opts[@]}" -jar "$BUNDLE"/lib/junit-platform-console-standalone-*.jar execute \
        --class-path "$cp" --select-class org.nnc.backend.cuda.CudaBackendTest --select-class org.nnc.backend.cuda.CudaModulesTest \
        --select-class org.nnc.backend.cuda.CudaWithoutGpuTest --details=summary --details-theme=ascii 2>&1 \
        | grep -v 'incubator modules') || true
    echo "== the GEMM tests again with cuBLAS switched off (-Dnnc.cublas=false), so that our own kernel is checked too"
    (cd "$ROOT/runtime" && timeout 200 "$java" "${opts[@]}" -Dnnc.cublas=false -jar "$BUNDLE"/lib/junit-platform-console-standalone-*.jar execute \
        --class-path "$cp" --select-class org.nnc.backend.cuda.CudaBackendTest --details=summary --details-theme=ascii 2>&1 \
        | grep -v 'incubator modules') || true
}

sample() {
    local java=$1 cp=$2
    local opts=("${@:3}")
    echo "== a sample on both devices: digits_cnn.nnet (20 epochs, seed 0), the last lines of each"
    local work
    work=$(mktemp -d)
    for device in cpu cuda; do
        echo "-- --device $device"
        (cd "$work" && timeout 120 "$java" "${opts[@]}" -cp "$cp" org.nnc.cli.Main run "$ROOT/samples/digits_cnn.nnet" --device "$device" 2>&1 \
            | grep -v 'incubator modules' | tail -n 3) || true
    done
    echo "-- --device auto, one epoch (its first line says where it trains)"
    (cd "$work" && timeout 120 "$java" "${opts[@]}" -cp "$cp" org.nnc.cli.Main run "$ROOT/samples/digits_cnn.nnet" --device auto --epochs 1 2>&1 \
        | grep -v 'incubator modules' | head -n 1) || true
    rm -rf "$work"
}

# One nnc run of workload $1 on the GPU, with the JVM options that follow it; uses bench()'s java, cp and opts.
nnc_bench() {
    local w=$1
    shift
    timeout 120 "$java" "${opts[@]}" -Xmx8g "$@" -cp "$cp" org.nnc.bench.Bench "$w" --device cuda 2>&1 | grep -v 'incubator modules' || true
}

bench() {
    local java=$1 cp=$2
    local opts=("${@:3}")
    # PyTorch with CUDA, looked for once (importing torch takes seconds of device time).
    local py="" candidate
    for candidate in /opt/torch/.venv/bin/python3 /opt/*/.venv/bin/python3 /opt/*/bin/python3 /usr/local/bin/python3 python3; do
        if command -v "$candidate" >/dev/null && "$candidate" -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
            py=$candidate
            break
        fi
    done
    [ -n "$py" ] || echo "(no python3 with CUDA PyTorch here: nnc's figures only, no ratios)"
    local workloads=${BENCH_WORKLOADS:-W2 W3} w
    echo "== $workloads on the GPU"
    local log
    log=$(mktemp)
    for round in 1 2 3; do
        for w in $workloads; do
            nnc_bench "$w" | sed "s/^/round=$round /" | tee -a "$log"
            if [ -n "$py" ]; then
                timeout 120 "$py" "$BUNDLE/workloads.py" "$w" --device cuda 2>&1 | sed "s/^/round=$round /" | tee -a "$log" || true
            fi
        done
    done
    echo "== $workloads once more with cuBLAS switched off (-Dnnc.cublas=false): our own GEMM kernel's share"
    for w in $workloads; do nnc_bench "$w" -Dnnc.cublas=false; done
    echo "== $workloads once more with cuBLAS off and no depth splitting (-Dnnc.cuda.splitDepth=false): what the split saves"
    for w in $workloads; do nnc_bench "$w" -Dnnc.cublas=false -Dnnc.cuda.splitDepth=false; done
    echo "== $workloads once with TF32 tensor cores (-Dnnc.cuda.tf32=true, what --tf32 sets)"
    for w in $workloads; do nnc_bench "$w" -Dnnc.cuda.tf32=true; done
    echo "== nnc / PyTorch per round (median step times; the target is at most 1.5)"
    grep -o 'round=[0-9]* W[0-9] [a-z]* [a-z_]* median=[0-9.]*' "$log" | awk '
        { split($1, r, "="); split($5, m, "="); key = $2 " " $4; v[key, r[2], $3] = m[2]; keys[key] = 1; rounds[r[2]] = 1 }
        END { for (k in keys) { line = k ":"; for (rd in rounds) if ((k, rd, "nnc") in v && (k, rd, "pytorch") in v)
              line = line sprintf("  %.3f/%.3f=%.2f", v[k, rd, "nnc"], v[k, rd, "pytorch"], v[k, rd, "nnc"] / v[k, rd, "pytorch"]);
              print line } }' | sort
    rm -f "$log"
}

# compute-sanitizer over the CUDA tests: memcheck (out-of-bounds and misaligned accesses, in our kernels and
# cuBLAS's), then racecheck (shared-memory hazards between a block's threads, which the emulated GPU's two
# thread orders catch only where a race changes a result). racecheck is slow, so it watches our kernels that
# use shared memory, one family a run (--kernel-name kns=SUBSTRING; a --kernel-regex with alternatives matched
# no kernel at all, silently), with cuBLAS off so that every product runs on ours. The out-of-memory test
# stays out: it fills the GPU. Each run has the limit SANITIZE_TOOLS gives its tool.
RACECHECK_KERNELS="gemm_f reduce _rows batch_norm cross_entropy_mean gemm_tf32"
sanitize() {
    local java=$1 cp=$2
    local opts=("${@:3}")
    local cs
    cs=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | head -n 1 || true)
    [ -n "$cs" ] || { echo "== no compute-sanitizer on this machine"; return 0; }
    local tool limit kernels k
    for tool in ${SANITIZE_TOOLS:-memcheck:150 racecheck:120}; do
        limit=${tool#*:}
        tool=${tool%:*}
        kernels=all
        [ "$tool" = racecheck ] && kernels=$RACECHECK_KERNELS
        for k in $kernels; do
            local only=() jvm=()
            [ "$k" != all ] && only=(--kernel-name "kns=$k") && jvm=(-Dnnc.cublas=false)
            echo "== compute-sanitizer --tool $tool${only[*]:+ ${only[*]}} over the CUDA tests (at most $limit s; a cut-off run still shows what it found)"
            (cd "$ROOT/runtime" && timeout "$limit" "$cs" --tool "$tool" "${only[@]}" --print-limit 20 "$java" "${opts[@]}" "${jvm[@]}" \
                -jar "$BUNDLE"/lib/junit-platform-console-standalone-*.jar execute --class-path "$cp" \
                --select-class org.nnc.backend.cuda.CudaBackendTest --select-class org.nnc.backend.cuda.CudaModulesTest \
                --exclude-methodname '.*runningOutOfMemory.*' --details=summary --details-theme=ascii 2>&1 \
                | grep -v 'incubator modules') || true
        done
    done
}

case "${1:-}" in
    bundle) bundle ;;
    run) shift; run "$@" ;;
    *) echo "usage: gpu/check.sh bundle | run [tests] [sample] [bench]" >&2; exit 2 ;;
esac
