/**
 * The lab's kernels: the workspace package tfjs-backend-wasm-train
 * (packages/), loaded on first use rather than when the lab is imported.
 *
 * Why not a plain import: loading the package loads tfjs-backend-wasm, which
 * registers the 'wasm' backend at a higher priority than 'cpu'. Any TF.js
 * call made before the engine starts (a notebook building a model to count
 * its parameters, a CLI command that plans runs) would then make TF.js pick
 * wasm and fail, since wasm starts asynchronously. And TF.js's spec suite
 * imports the engine's Dawn set-up for its stock configurations, which must
 * stay stock. So the engine loads it in initEngine, and the layers and the
 * trainer when they first run.
 */
import type * as WasmTrain from 'tfjs-backend-wasm-train';

export type TrainingKernels = typeof WasmTrain;

/** The package (registering its kernels on first load). */
export function trainingKernels(): TrainingKernels {
  return require('tfjs-backend-wasm-train') as TrainingKernels;
}
