#!/usr/bin/env bash
# Checks every vector path of the C kernels (Sources/CCPUKernels) against the portable scalar path
# and a double-precision reference, with Tests/KernelPaths/kernel_paths_check.c:
#   - aarch64 NEON with SDOT (-mcpu=cortex-a76, the Raspberry Pi 5), NEON without it
#     (-mcpu=cortex-a72, the Raspberry Pi 4) and the forced scalar path, under qemu-aarch64
#     on other machines, built with clang (the compiler SwiftPM uses on the Pi), else
#     aarch64-linux-gnu-gcc; --all-compilers builds with each of them found;
#   - this machine's own path (AVX-512 or AVX2 on most x86-64 CPUs) and the forced scalar path; on
#     CPUs with AVX-512 also the 512-bit kernels without VNNI (-mno-avx512vnni) and the AVX2 path
#     (-DAXL_NO_AVX512, and -mno-avx512f as a CPU without AVX-512 builds it); on CPUs with VBMI also
#     the single-token q4_1 kernel without it (-mno-avx512vbmi).
# The aarch64 builds need a cross toolchain and qemu-user; on Debian or Ubuntu:
#   apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
# Without them those builds are skipped with a message (or fail with --require-aarch64).
# About ten seconds of CPU time; qemu runs each aarch64 check in about a second.
# --speed instead times each kernel on this machine's path against the scalar path (no checks),
# and on CPUs with AVX-512 the same with the AVX2 path (-DAXL_NO_AVX512) for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."

require_aarch64=0
all_compilers=0
speed=0
for arg in "$@"; do
    case "$arg" in
        --require-aarch64) require_aarch64=1 ;;
        --all-compilers) all_compilers=1 ;;
        --speed) speed=1 ;;
        *) echo "usage: $0 [--require-aarch64] [--all-compilers] | --speed" >&2; exit 2 ;;
    esac
done

sources=(Sources/CCPUKernels/*.c Tests/KernelPaths/kernel_paths_check.c)
includes=(-ISources/CCPUKernels/include -ISources/CCPUKernels)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
built=0

# check NAME RUNNER COMPILER FLAGS...: builds the driver with COMPILER and FLAGS, runs it (through
# RUNNER when not empty) and records a failure.
check() {
    local name=$1 runner=$2 compiler=$3
    shift 3
    echo "== $name"
    built=$((built + 1))
    # shellcheck disable=SC2086 # the compiler may carry its own flags (clang --target=...)
    if ! $compiler -O3 -Wall -Wextra "$@" "${includes[@]}" "${sources[@]}" -lm -o "$work/check-$built"; then
        echo "FAIL: $name does not compile"
        failed=1
        return
    fi
    # shellcheck disable=SC2086
    $runner "$work/check-$built" || failed=1
}

# A compiler that builds and links a static aarch64 program, so qemu needs no target libraries.
links_aarch64() {
    echo 'int main(void) { return 0; }' > "$work/probe.c"
    # shellcheck disable=SC2086
    $1 -static "$work/probe.c" -o "$work/probe" 2>/dev/null
}

native_cc=${CC:-$(command -v clang || command -v cc)}
if [[ $speed == 1 ]]; then
    flag=-march=native
    case "$(uname -m)" in aarch64 | arm64) flag=-mcpu=native ;; esac
    $native_cc -O3 "$flag" "${includes[@]}" "${sources[@]}" -lm -o "$work/speed"
    "$work/speed" --speed
    if grep -qw avx512bw /proc/cpuinfo 2>/dev/null; then
        $native_cc -O3 "$flag" -DAXL_NO_AVX512 "${includes[@]}" "${sources[@]}" -lm -o "$work/speed-avx2"
        "$work/speed-avx2" --speed
    fi
    exit 0
fi
case "$(uname -m)" in
    aarch64 | arm64)
        check "native aarch64 ($native_cc -mcpu=native)" "" "$native_cc" -mcpu=native
        check "native aarch64, scalar path forced" "" "$native_cc" -mcpu=native -DAXL_FORCE_SCALAR
        ;;
    *)
        check "native $(uname -m) ($native_cc -march=native)" "" "$native_cc" -march=native
        check "native $(uname -m), scalar path forced" "" "$native_cc" -march=native -DAXL_FORCE_SCALAR
        if grep -qw avx512bw /proc/cpuinfo 2>/dev/null; then
            check "native $(uname -m), AVX-512 without VNNI" "" "$native_cc" -march=native -mno-avx512vnni
            check "native $(uname -m), AVX-512 without VBMI" "" "$native_cc" -march=native -mno-avx512vbmi
            check "native $(uname -m), AVX2 path (AXL_NO_AVX512)" "" "$native_cc" -march=native -DAXL_NO_AVX512
            check "native $(uname -m) without AVX-512" "" "$native_cc" -march=native -mno-avx512f
        fi

        qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
        cross=()
        for candidate in "clang --target=aarch64-linux-gnu" aarch64-linux-gnu-gcc; do
            if command -v "${candidate%% *}" >/dev/null && links_aarch64 "$candidate"; then
                cross+=("$candidate")
                [[ $all_compilers == 1 ]] || break
            fi
        done
        if [[ -z "$qemu" || ${#cross[@]} -eq 0 ]]; then
            echo "skipped the aarch64 kernel paths: need qemu-aarch64 and an aarch64 cross compiler"
            echo "  (apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)"
            [[ $require_aarch64 == 1 ]] && failed=1
        else
            for compiler in "${cross[@]}"; do
                check "aarch64 NEON + SDOT (Cortex-A76) with $compiler" "$qemu -cpu cortex-a76" \
                    "$compiler" -static -mcpu=cortex-a76
                check "aarch64 NEON without SDOT (Cortex-A72) with $compiler" "$qemu -cpu cortex-a72" \
                    "$compiler" -static -mcpu=cortex-a72
                check "aarch64 scalar path forced with $compiler" "$qemu -cpu cortex-a76" \
                    "$compiler" -static -mcpu=cortex-a76 -DAXL_FORCE_SCALAR
            done
        fi
        ;;
esac

if [[ $failed != 0 ]]; then
    echo "kernel path checks FAILED"
    exit 1
fi
echo "kernel path checks passed ($built builds)"
