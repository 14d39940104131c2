#!/bin/sh
# The lab's check on a lent GPU machine, in one call (docs/gpu.md says how it
# is prepared and run): unpack the pack carried as .pack/, show what the
# machine has, measure it (cnnlab bench gpu), then train what fits of a
# chapter's full plan on webgpu in the time left. Everything worth keeping
# goes to $OUT (at most 8 files come back).
#
# usage: sh scripts/gpu-session.sh [SECONDS] [CHAPTER]     (default 540 s, chapter 03)
set -u
budget=${1:-540}
chapter=${2:-03}
out=${OUT:-/tmp/gpu-session-out}
started=$(date +%s)
left() { echo $((budget - ($(date +%s) - started))); }

mkdir -p "$out" /tmp/lab
tar -xJf .pack/cnnlab-pack-linux-x64.tar.xz -C /tmp/lab || { echo "no pack at .pack/: build it with npm run pack -- --with-data --out .pack/cnnlab-pack-linux-x64.tar.xz"; exit 1; }
lab=/tmp/lab/cnnlab-pack/bin/cnnlab

{ date -u; uname -a; nvidia-smi 2>&1 | head -15; } > "$out/machine.txt"
"$lab" doctor > "$out/doctor.txt" 2>&1
cat "$out/doctor.txt"

# The benchmark gets at most 5 minutes, and leaves 2 for training and the copy.
minutes=$(( ($(left) - 120) / 60 )); [ "$minutes" -gt 5 ] && minutes=5
[ "$minutes" -ge 1 ] && "$lab" bench gpu --minutes "$minutes" --out "$out/gpu-bench.json" > "$out/gpu-bench.md" 2> "$out/gpu-bench.log"
cat "$out/gpu-bench.md"

# Then the chapter's full plan on the GPU until 30 s before the end; each finished run is a whole record.
train=$(( $(left) - 30 ))
if [ "$train" -gt 30 ]; then
  timeout "$train" "$lab" run-plan "$chapter" --budget full --backend webgpu > "$out/run-plan.log" 2>&1
  tail -5 "$out/run-plan.log"
fi
tar -czf "$out/results.tar.gz" -C /tmp/lab/cnnlab-pack results 2>/dev/null
ls -la "$out"
