/**
 * Gradients of DepthwiseConv2dNative for the wasm backend, which has neither
 * (tfjs-backend-wasm 4.22). Depthwise work is small per output (KH*KW MACs),
 * so direct loops over the wasm heap beat any matmul formulation.
 * Depth multipliers M > 1 are supported: output channel c*M + q reads input c.
 */
import * as tf from '@tensorflow/tfjs';

import {heapF32, input, WasmKernel} from './heap';

function depthwiseInfo(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number], filterShape as [number, number, number, number],
      attrs['strides'] as [number, number] | number, (attrs['dilations'] as [number, number] | number) ?? 1,
      attrs['pad'] as 'valid' | 'same' | number, attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined,
      true);
}

export const depthwiseBackpropFilter: WasmKernel = ({inputs, backend, attrs}) => {
  const x = input(inputs, 'x'), dy = input(inputs, 'dy');
  const filterShape = attrs['filterShape'] as number[];
  const info = depthwiseInfo(x.shape, filterShape, attrs);
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO,
         strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwl,
         filterHeight: KH, filterWidth: KW, padInfo} = info;
  const M = CO / C;
  const out = backend.makeOutput(filterShape, 'float32');
  const X = heapF32(backend, x), DY = heapF32(backend, dy), DW = heapF32(backend, out);
  DW.fill(0);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const base = (kh * KW + kw) * CO;
      for (let n = 0; n < N; n++) {
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * sh + kh * dh - padInfo.top;
          if (iy < 0 || iy >= H) continue;
          for (let ox = 0; ox < OW; ox++) {
            const ix = ox * sw + kw * dwl - padInfo.left;
            if (ix < 0 || ix >= W) continue;
            const xo = ((n * H + iy) * W + ix) * C;
            const dyo = ((n * OH + oy) * OW + ox) * CO;
            if (M === 1) {
              for (let c = 0; c < C; c++) DW[base + c] += X[xo + c] * DY[dyo + c];
            } else {
              for (let c = 0; c < C; c++) {
                const xv = X[xo + c];
                for (let q = 0; q < M; q++) DW[base + c * M + q] += xv * DY[dyo + c * M + q];
              }
            }
          }
        }
      }
    }
  }
  return out;
};

export const depthwiseBackpropInput: WasmKernel = ({inputs, backend, attrs}) => {
  const dy = input(inputs, 'dy'), filter = input(inputs, 'filter');
  const inputShape = attrs['inputShape'] as number[];
  const info = depthwiseInfo(inputShape, filter.shape, attrs);
  const {batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO,
         strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dwl,
         filterHeight: KH, filterWidth: KW, padInfo} = info;
  const M = CO / C;
  const out = backend.makeOutput(inputShape, 'float32');
  const F = heapF32(backend, filter), DY = heapF32(backend, dy), DX = heapF32(backend, out);
  DX.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let kh = 0; kh < KH; kh++) {
        const iy = oy * sh + kh * dh - padInfo.top;
        if (iy < 0 || iy >= H) continue;
        for (let ox = 0; ox < OW; ox++) {
          const dyo = ((n * OH + oy) * OW + ox) * CO;
          for (let kw = 0; kw < KW; kw++) {
            const ix = ox * sw + kw * dwl - padInfo.left;
            if (ix < 0 || ix >= W) continue;
            const xo = ((n * H + iy) * W + ix) * C;
            const fo = (kh * KW + kw) * CO;
            if (M === 1) {
              for (let c = 0; c < C; c++) DX[xo + c] += F[fo + c] * DY[dyo + c];
            } else {
              for (let c = 0; c < C; c++) {
                let sum = 0;
                for (let q = 0; q < M; q++) sum += F[fo + c * M + q] * DY[dyo + c * M + q];
                DX[xo + c] += sum;
              }
            }
          }
        }
      }
    }
  }
  return out;
};
