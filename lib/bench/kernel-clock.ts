/**
 * A clock around every kernel of one backend: each registered kernel is
 * re-registered wrapped in `performance.now()` calls, and its calls and
 * time are summed by kernel and by input shapes. Why not `tf.profile`: it
 * reads every output back and keeps its own records per call, and on wasm
 * that inflated the recorded time of small kernels up to 7x
 * (docs/engine.md, "Around the convolutions"). A kernel that runs other
 * kernels through the registry (a fused op built of others) is timed once,
 * as the outer call: nested calls are not counted twice.
 */
import * as tf from '@tensorflow/tfjs';

export interface KernelTime {
  kernel: string;
  /** The inputs' and output's shapes, `[64,14,14,32] [3,3,32,32] -> [64,14,14,32]`; empty when timed by kernel only. */
  shapes: string;
  calls: number;
  ms: number;
  /** A convolution's multiply-adds a call (forward pass or either gradient); null for other kernels and when timed by kernel. */
  macs: number | null;
}

/** What a step's kernels do, as the README's table of where the time goes groups them. */
export const KERNEL_CATEGORIES = [
  'convolutions, forward', 'convolution gradients', 'batch norm', 'pooling', 'matrix products',
  'optimiser (Adam)', 'copies and reshapes', 'element-wise and reductions',
] as const;
export type KernelCategory = typeof KERNEL_CATEGORIES[number];

const COPIES = new Set(['Concat', 'SplitV', 'Reshape', 'Identity', 'Cast', 'Slice', 'Pad', 'PadV2', 'Transpose', 'Tile', 'GatherV2']);

/** The category of a kernel, by its name (TF.js's kernel names and the package's Lab* ones). */
export function kernelCategory(kernel: string): KernelCategory {
  if (/Conv2D|Conv2d/.test(kernel)) return /Backprop/.test(kernel) ? 'convolution gradients' : 'convolutions, forward';
  if (kernel.startsWith('LabBatchNorm') || kernel.startsWith('FusedBatchNorm')) return 'batch norm';
  if (/Pool/.test(kernel)) return 'pooling';
  if (/MatMul/.test(kernel)) return 'matrix products';
  if (kernel === 'LabAdamUpdate') return 'optimiser (Adam)';
  if (COPIES.has(kernel)) return 'copies and reshapes';
  return 'element-wise and reductions';
}

export interface KernelClock {
  /**
   * Times summed since the clock started or was last reset, largest first:
   * by kernel, by kernel and shapes, or by category (the category's name
   * in `kernel`).
   */
  times(by: 'kernel' | 'shape' | 'category'): KernelTime[];
  reset(): void;
  /** Puts the unwrapped kernels back; the clock stops counting. */
  stop(): void;
}

type KernelResult = tf.TensorInfo | tf.TensorInfo[];

function shapesOf(inputs: tf.NamedTensorInfoMap, result: KernelResult): string {
  const shape = (t: tf.TensorInfo | undefined) => t == null ? '-' : `[${t.shape.join(',')}]`;
  const outputs = Array.isArray(result) ? result : [result];
  return `${Object.values(inputs).map(shape).join(' ')} -> ${outputs.map(shape).join(' ')}`;
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * A convolution's multiply-adds, the same for its forward pass and both
 * gradients: the elements of its output (for the gradients, of dy) times
 * the taps each sums, kh * kw times the inputs a group for regular and
 * grouped convolutions ([kh, kw, inputs a group, outputs] filters), kh * kw
 * for depthwise ones. Null for any other kernel.
 */
export function convolutionMacs(kernel: string, inputs: tf.NamedTensorInfoMap, result: KernelResult): number | null {
  const output = Array.isArray(result) ? result[0] : result;
  let outputSpace: readonly number[] | undefined, filter: readonly number[] | undefined;
  if (['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D', 'LabGroupConv2D'].includes(kernel)) {
    outputSpace = output?.shape;
    filter = inputs['filter']?.shape;
  } else if (['Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropInput', 'LabGroupConv2DBackpropInput'].includes(kernel)) {
    outputSpace = inputs['dy']?.shape;
    filter = inputs['filter']?.shape;
  } else if (['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'LabGroupConv2DBackpropFilter'].includes(kernel)) {
    outputSpace = inputs['dy']?.shape;
    filter = output?.shape;
  }
  if (outputSpace == null || filter == null || filter.length !== 4) return null;
  const taps = filter[0]! * filter[1]! * (kernel.includes('Depthwise') ? 1 : filter[2]!);
  return product(outputSpace) * taps;
}

/** Wraps every kernel registered for `backend` in a clock, until `stop()`. */
export function clockKernels(backend: string): KernelClock {
  const originals = tf.getKernelsForBackend(backend);
  if (originals.length === 0) throw new Error(`clockKernels: no kernels are registered for backend '${backend}'`);
  const byShape = new Map<string, KernelTime>();
  let depth = 0;
  for (const config of originals) {
    const run = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({...config, kernelFunc: (args) => {
      if (depth > 0) return run(args);
      depth++;
      const started = performance.now();
      let result: KernelResult;
      try {
        result = run(args);
      } finally {
        depth--;
      }
      const ms = performance.now() - started;
      const shapes = shapesOf(args.inputs, result), key = `${config.kernelName} ${shapes}`;
      const entry = byShape.get(key)
        ?? {kernel: config.kernelName, shapes, calls: 0, ms: 0, macs: convolutionMacs(config.kernelName, args.inputs, result)};
      entry.calls++;
      entry.ms += ms;
      byShape.set(key, entry);
      return result;
    }});
  }
  let stopped = false;
  return {
    times(by) {
      const entries = [...byShape.values()];
      if (by === 'shape') return entries.map(e => ({...e})).sort((a, b) => b.ms - a.ms);
      const sums = new Map<string, KernelTime>();
      for (const e of entries) {
        const name = by === 'category' ? kernelCategory(e.kernel) : e.kernel;
        const sum = sums.get(name) ?? {kernel: name, shapes: '', calls: 0, ms: 0, macs: null};
        sum.calls += e.calls;
        sum.ms += e.ms;
        sums.set(name, sum);
      }
      return [...sums.values()].sort((a, b) => b.ms - a.ms);
    },
    reset() { byShape.clear(); },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const config of originals) {
        tf.unregisterKernel(config.kernelName, backend);
        tf.registerKernel(config);
      }
    },
  };
}
