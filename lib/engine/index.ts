export * from './backends';
export {LAB_WASM_KERNELS, registerLabWasmKernels, withStockWasmKernel} from './wasm-kernels';
