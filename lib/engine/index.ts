export * from './backends/choose-backend';
export * from './backends/gpu-probe';
export {MAX_WASM_THREADS, THREADS_ENV, WASM_DIR_ENV, parseThreads, threadsFromEnvironment, wasmOutDir} from './backends/wasm-threads';
// The kernels live in the workspace package tfjs-backend-wasm-train (packages/).
export {FusedAdamOptimizer, WASM_KERNELS, groupConv2d, groupConvKernelHere, groupConvSimdHere} from 'tfjs-backend-wasm-train';
