/**
 * A plain-loop Conv2DBackpropFilter for the cpu backend, for the reference
 * gradients of whole networks (the engine tests, `cnnlab bench gpu`).
 * tfjs-backend-cpu's own reads every element
 * through TensorBuffer.get (about 380 ns a multiply-add here): GoogLeNet at
 * 32 px took 20-27 s of its 25-32 s gradient check in that one kernel. This
 * one walks x and dy in place and sums in float64, so it is a reference at
 * least as exact as TF.js's, in a few hundred milliseconds;
 * test/engine/model-grads.test.ts checks it against TF.js's on strides,
 * paddings and rectangular filters.
 * It shares no code with the lab's kernels.
 */
import * as tf from '@tensorflow/tfjs';

type CpuBackend = {data: {get(dataId: object): {values: Float32Array}}; makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo};

/** dW[kh, kw, ci, co] = sum over images and output pixels of x[b, iy, ix, ci] * dy[b, oy, ox, co] (NHWC). */
export function plainFilterGradient(args: {inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: tf.NamedAttrMap}): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const {x, dy} = args.inputs as {x: tf.TensorInfo; dy: tf.TensorInfo};
  const {strides, pad, dataFormat, dimRoundingMode, filterShape} = args.attrs as unknown as {
    strides: number | [number, number]; pad: 'same' | 'valid' | number; dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number]};
  if (dataFormat === 'NCHW') throw new Error('plainFilterGradient: NHWC only (the lab\'s models are NHWC)');
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const {batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth} = info;
  const xs = backend.data.get(x.dataId).values, dys = backend.data.get(dy.dataId).values;
  const sums = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const dyAt = ((b * outHeight + oy) * outWidth + ox) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const iy = oy * strideHeight - info.padInfo.top + kh;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const ix = ox * strideWidth - info.padInfo.left + kw;
            if (ix < 0 || ix >= inWidth) continue;
            const xAt = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            const wAt = (kh * filterWidth + kw) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xv = xs[xAt + ci];
              const row = wAt + ci * outChannels;
              for (let co = 0; co < outChannels; co++) sums[row + co] += xv * dys[dyAt + co];
            }
          }
        }
      }
    }
  }
  return backend.makeTensorInfo([filterHeight, filterWidth, inChannels, outChannels], 'float32', Float32Array.from(sums));
}

/** Runs `body` with plainFilterGradient as the cpu backend's Conv2DBackpropFilter, then restores TF.js's. */
export async function withPlainCpuFilterGradient<T>(body: () => Promise<T>): Promise<T> {
  const stock = tf.getKernel('Conv2DBackpropFilter', 'cpu');
  if (stock == null) throw new Error('the cpu backend has no Conv2DBackpropFilter to replace');
  tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
  tf.registerKernel({kernelName: 'Conv2DBackpropFilter', backendName: 'cpu', kernelFunc: plainFilterGradient as unknown as tf.KernelFunc});
  try {
    return await body();
  } finally {
    tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
    tf.registerKernel(stock);
  }
}
