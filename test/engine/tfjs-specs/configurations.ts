/**
 * What the TF.js spec suite runs: the configurations (a backend, stock or
 * with the lab's kernels) and tfjs-core's spec files that exercise a kernel
 * or gradient the lab registers or replaces.
 */

/** The name the specs' test environment has in every configuration (it appears in spec names). */
export const SPEC_ENV_NAME = 'spec-env';

export type ConfigurationName =
    'wasm-stock' | 'wasm-lab' | 'wasm-lab-js' | 'wasm-lab-threads' | 'cpu-stock' | 'cpu-lab' | 'webgpu-stock' | 'webgpu-lab';

export interface Configuration {
  backend: 'wasm' | 'cpu' | 'webgpu';
  /** With the lab's kernels and gradients registered. */
  lab: boolean;
  /** The lab's WebAssembly SIMD kernels (else their JavaScript paths); wasm only. */
  simd: boolean;
  /** wasm threads: above 1, the threaded SIMD build. */
  threads: number;
  /** The stock configuration a lab configuration must not do worse than. */
  stock?: ConfigurationName;
  description: string;
}

export const CONFIGURATIONS: Readonly<Record<ConfigurationName, Configuration>> = {
  'wasm-stock': {backend: 'wasm', lab: false, simd: false, threads: 1, description: 'tfjs-backend-wasm as published (SIMD build, one thread)'},
  'wasm-lab': {backend: 'wasm', lab: true, simd: true, threads: 1, stock: 'wasm-stock', description: "wasm with the lab's kernels (SIMD)"},
  'wasm-lab-js': {backend: 'wasm', lab: true, simd: false, threads: 1, stock: 'wasm-stock',
                  description: "wasm with the lab's kernels on their JavaScript paths"},
  'wasm-lab-threads': {backend: 'wasm', lab: true, simd: true, threads: 2, stock: 'wasm-stock',
                       description: "wasm's threaded SIMD build (2 threads) with the lab's kernels"},
  'cpu-stock': {backend: 'cpu', lab: false, simd: false, threads: 1, description: 'tfjs-backend-cpu as published'},
  'cpu-lab': {backend: 'cpu', lab: true, simd: false, threads: 1, stock: 'cpu-stock', description: "cpu with the lab's gradients"},
  'webgpu-stock': {backend: 'webgpu', lab: false, simd: false, threads: 1, description: 'tfjs-backend-webgpu as published (software Vulkan)'},
  'webgpu-lab': {backend: 'webgpu', lab: true, simd: false, threads: 1, stock: 'webgpu-stock',
                 description: "webgpu with the lab's gradients (software Vulkan)"},
};

export function isConfigurationName(name: string | undefined): name is ConfigurationName {
  return name != null && Object.hasOwn(CONFIGURATIONS, name);
}

/**
 * tfjs-core's spec files (under its dist/) and what of the lab's each one
 * exercises: wasm kernels by TF.js kernel name, gradients as "<Op> gradient".
 * The 3D convolutions and pools share the 2D ones' shape utilities and sit
 * beside them. Files with `webgpu: true` also run on webgpu, where the lab
 * changes only gradients (a software rasteriser runs convolutions slowly).
 */
export const SPEC_FILES: ReadonlyArray<{file: string; exercises: readonly string[]; webgpu?: boolean}> = [
  {file: 'ops/concat_test.js', exercises: ['Concat']},
  {file: 'ops/split_test.js', exercises: ['SplitV']},
  {file: 'ops/conv1d_test.js', exercises: ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput']},
  {file: 'ops/conv2d_test.js', exercises: ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput']},
  {file: 'ops/conv2d_transpose_test.js', exercises: ['Conv2DBackpropInput', 'Conv2DBackpropFilter']},
  {file: 'ops/conv2d_separable_test.js', exercises: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Conv2DBackpropFilter']},
  {file: 'ops/depthwise_conv2d_test.js', exercises: ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']},
  {file: 'ops/fused/fused_conv2d_test.js', exercises: ['FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Sum']},
  {file: 'ops/fused/fused_depthwise_conv2d_test.js', exercises: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'Sum']},
  {file: 'ops/fused/fused_mat_mul_test.js', exercises: ['BatchMatMul', '_FusedMatMul', 'Sum']},
  {file: 'ops/mat_mul_test.js', exercises: ['BatchMatMul']},
  {file: 'ops/conv3d_test.js', exercises: []},
  {file: 'ops/conv3d_transpose_test.js', exercises: []},
  {file: 'ops/max_pool_test.js', exercises: ['MaxPool', 'MaxPoolGrad']},
  {file: 'ops/avg_pool_test.js', exercises: ['AvgPoolGrad']},
  {file: 'ops/pool_test.js', exercises: ['MaxPool', 'MaxPoolGrad', 'AvgPoolGrad']},
  {file: 'ops/max_pool_3d_test.js', exercises: []},
  {file: 'ops/avg_pool_3d_test.js', exercises: []},
  {file: 'ops/batchnorm_test.js', exercises: ['Sum', 'Mean']},
  {file: 'ops/moments_test.js', exercises: ['Mean']},
  {file: 'ops/sum_test.js', exercises: ['Sum']},
  {file: 'ops/mean_test.js', exercises: ['Mean', 'Mean gradient']},
  {file: 'ops/tile_test.js', exercises: ['Tile']},
  {file: 'ops/clone_test.js', exercises: ['Identity']},
  {file: 'ops/arithmetic_test.js', exercises: ['Multiply', 'Add', 'Sub'], webgpu: true},
  {file: 'ops/add_test.js', exercises: ['Add']},
  {file: 'ops/sub_test.js', exercises: ['Sub']},
  {file: 'ops/relu_test.js', exercises: ['Relu', 'Relu gradient'], webgpu: true},
  {file: 'ops/relu6_test.js', exercises: ['Relu6', 'Relu6 gradient'], webgpu: true},
  {file: 'ops/clip_by_value_test.js', exercises: ['ClipByValue', 'ClipByValue gradient'], webgpu: true},
  {file: 'gradients_test.js', exercises: ['Identity', 'Sum']},
  {file: 'tensor_test.js', exercises: ['Cast']},
];

/** What one spec did in one configuration. */
export interface SpecOutcome {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  /** The first failed expectation's first line. */
  message?: string;
}

/** One spec file in one configuration. */
export interface FileOutcome {
  configuration: ConfigurationName;
  file: string;
  seconds: number;
  /** How each backend the specs created ran (wasm: threads and the lab's kernels' path). */
  engines: string[];
  specs: SpecOutcome[];
  /** Failures outside any spec (an afterAll, the process). */
  suiteErrors: string[];
  /** Why the backend could not start here (webgpu without a Vulkan driver); nothing ran. */
  unavailable?: string;
}
