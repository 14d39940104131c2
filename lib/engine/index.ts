export * from './backends/choose-backend';
export * from './backends/gpu-probe';
export {LAB_WASM_KERNELS, registerLabWasmKernels, withStockWasmKernel} from './kernels/wasm-replacements';
export {MAX_WASM_THREADS, THREADS_ENV, WASM_DIR_ENV, parseThreads, threadsFromEnvironment, wasmOutDir} from './backends/wasm-threads';
export {registerActivationGradients} from './kernels/activation-grads';
export {LabAdamOptimizer} from './kernels/adam';
export {groupConv2dKernel, groupConvKernelHere, groupConvSimdHere, registerGroupConvKernels} from './kernels/grouped-conv-kernel';
