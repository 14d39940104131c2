export * from './backends';
export * from './gpu';
export {LAB_WASM_KERNELS, registerLabWasmKernels, withStockWasmKernel} from './wasm-kernels';
export {MAX_WASM_THREADS, THREADS_ENV, WASM_DIR_ENV, parseThreads, threadsFromEnvironment, wasmOutDir} from './wasm-threads';
export {registerActivationGradients} from './activation-grads';
export {groupConv2dKernel, groupConvKernelHere, groupConvSimdHere, registerGroupConvKernels} from './group-conv';
