/**
 * The pack's `bin/cnnlab`: a POSIX shell script, so the target needs no
 * Node.js. It runs the pack's own Node on the bundled lab, and gives Dawn a
 * Vulkan it can use: the pack's copy of Debian's loader where the system
 * has none, and NVIDIA's driver file where it sits only in the driver's own
 * folder (as in containers that mount /usr/local/nvidia), unless the user
 * chose drivers with VK_DRIVER_FILES.
 */
export const LAUNCHER = `#!/bin/sh
# cnnlab from the lab's GPU pack: no Node.js, npm or network needed here.
set -e
pack=$(cd "$(dirname "$0")/.." && pwd)

has_loader() {
  for dir in $(printf '%s' "\${LD_LIBRARY_PATH:-}" | tr ':' ' ') /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib64 /lib64 /usr/lib /usr/local/lib; do
    [ -e "$dir/libvulkan.so.1" ] && return 0
  done
  return 1
}
if ! has_loader && [ -e "$pack/vulkan/libvulkan.so.1" ]; then
  LD_LIBRARY_PATH="$pack/vulkan\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
fi

if [ -z "\${VK_DRIVER_FILES:-}\${VK_ICD_FILENAMES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/vulkan/icd.d/nvidia_icd.json; do
    if [ -e "$icd" ] && [ ! -e /usr/share/vulkan/icd.d/nvidia_icd.json ] && [ ! -e /etc/vulkan/icd.d/nvidia_icd.json ]; then
      VK_DRIVER_FILES="$icd"
      export VK_DRIVER_FILES
      break
    fi
  done
fi

exec "$pack/node/node" "$pack/app/cnnlab.js" "$@"
`;

export function packReadme(version: {commit: string; date: string; node: string}): string {
  return `The Lightweight CNN Lab's GPU pack (commit ${version.commit}, built ${version.date})
==================================================================================

Everything needed to train the lab's networks on a Linux x86-64 machine that
has no Node.js, npm or network: Node ${version.node}, the lab bundled into
app/cnnlab.js, TF.js with its WebAssembly binaries, Dawn's WebGPU binding, and
Debian's Vulkan loader (used only where the machine has none).

  bin/cnnlab doctor                       what is here: Node, the data, the Vulkan loader, drivers, GPU
  bin/cnnlab run-plan 03 --budget full    train chapter 03's full plan (webgpu on a GPU, else wasm)
  bin/cnnlab bench gpu                    measure the GPU and every core against PyTorch (JSON in bench-results/)
  bin/cnnlab slurm 03 --budget full --gpus-per-task 1 --time 4:00:00 --submit
                                          on a Slurm cluster (this folder on its shared file system): one array task per run

Data (unless the pack was built with --with-data): put the four Fashion-MNIST files (train-images-idx3-ubyte.gz,
train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz;
Debian's dataset-fashion-mnist has them in /usr/share/datasets/fashion-mnist/)
into datasets/fashion-mnist/ here, or point LAB_DATA_DIR at them.

Records land in results/ here, one JSON file per run. Copy them into the
lab's results/ at home; the notebooks reuse them when told which engine made
them: LAB_RECORDS_BACKEND=webgpu npm run report -- --budget full

Needs glibc 2.28 or newer (Dawn's binding: 2.34) and, for a GPU, the
vendor's Vulkan driver (NVIDIA's ships nvidia_icd.json).
`;
}
