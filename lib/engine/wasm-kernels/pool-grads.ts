/**
 * MaxPoolGrad for the wasm backend. tfjs-backend-wasm 4.22's own kernel
 * returns wrong gradients for even windows and for non-square inputs (e.g.
 * 2x2/s2/same on 11x6: relative error 0.63; test/engine/wasm-kernels.test.ts
 * keeps that case), and this loop is also ~2x faster than it.
 * The gradient goes to the first maximum in each window, as on `cpu`: on
 * the lab's SIMD kernel (maxPoolGrad in simd-source.ts) once it is loaded,
 * else in the JavaScript loop below.
 */
import * as tf from '@tensorflow/tfjs';

import {heapF32, input, WasmKernel} from './heap';
import {simdKernels} from './simd';

export const maxPoolGrad: WasmKernel = ({inputs, backend, attrs}) => {
  const dy = input(inputs, 'dy'), x = input(inputs, 'input'), y = input(inputs, 'output');
  const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number], attrs['filterSize'] as [number, number] | number,
      attrs['strides'] as [number, number] | number, 1, attrs['pad'] as 'valid' | 'same' | number,
      attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined);
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW,
         strideHeight: sh, strideWidth: sw, effectiveFilterHeight: KH, effectiveFilterWidth: KW, padInfo} = info;
  const out = backend.makeOutput(x.shape, 'float32');
  heapF32(backend, out).fill(0);
  const kernels = simdKernels(backend);
  if (kernels != null) {
    const at = (info: tf.TensorInfo) => backend.getMemoryOffset(info.dataId);
    kernels.maxPoolGrad(at(x), at(y), at(dy), at(out), N, H, W, C, OH, OW, KH, KW, sh, sw, padInfo.top, padInfo.left);
    return out;
  }
  const X = heapF32(backend, x), Y = heapF32(backend, y), DY = heapF32(backend, dy), DX = heapF32(backend, out);
  // The forward pass already found each window's maximum (Y); the gradient
  // goes to the first position that holds it. "Equal to the maximum" is
  // rarely true, so the branch predicts well, unlike a running "greater
  // than" search over random values (about 3x faster on Inception's pools).
  const found = new Uint8Array(C);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const yo = ((n * OH + oy) * OW + ox) * C;
        found.fill(0);
        let remaining = C;
        for (let kh = 0; kh < KH && remaining > 0; kh++) {
          const iy = oy * sh + kh - padInfo.top;
          if (iy < 0 || iy >= H) continue;
          for (let kw = 0; kw < KW && remaining > 0; kw++) {
            const ix = ox * sw + kw - padInfo.left;
            if (ix < 0 || ix >= W) continue;
            const xo = ((n * H + iy) * W + ix) * C;
            for (let c = 0; c < C; c++) {
              if (X[xo + c] === Y[yo + c] && found[c] === 0) {
                found[c] = 1;
                remaining--;
                DX[xo + c] += DY[yo + c];
              }
            }
          }
        }
      }
    }
  }
  return out;
};
