export * from './backends/choose-backend';
export * from './backends/gpu-probe';
export {MAX_WASM_THREADS, THREADS_ENV, WASM_DIR_ENV, parseThreads, threadsFromEnvironment, wasmOutDir} from './backends/wasm-threads';
export {TrainingKernels, trainingKernels} from './backends/training-kernels';
export {KERNEL_POOL_ENV, kernelPoolDispatchMs, kernelPoolFromEnvironment, kernelPoolHelperTasks} from './backends/kernel-pool';
