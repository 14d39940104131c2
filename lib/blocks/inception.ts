import * as tf from '@tensorflow/tfjs';

import {applyTo} from '../layers/apply';
import {activation, batchNorm, convBnAct} from './conv-bn-act';

/** Output widths of the four branches of an Inception v1 module (GoogLeNet Table 1). */
export interface InceptionWidths {
  /** 1x1 branch. */
  readonly b1: number;
  /** 3x3 branch: 1x1 reduction, then 3x3. */
  readonly b3Reduce: number;
  readonly b3: number;
  /** "5x5" branch: 1x1 reduction, then `wideKernel` x `wideKernel`. */
  readonly b5Reduce: number;
  readonly b5: number;
  /** 3x3 max-pool, then 1x1 projection. */
  readonly poolProj: number;
}

export interface InceptionArgs {
  widths: InceptionWidths;
  /**
   * Kernel of the widest branch. The paper (Szegedy et al. 2015, Fig. 2b)
   * uses 5; torchvision's GoogLeNet uses 3 (a bug kept for its weights,
   * pytorch/vision#906), which changes the parameter count.
   */
  wideKernel?: 3 | 5;
  name: string;
}

/** Inception module with dimension reductions (Szegedy et al. 2015, Fig. 2b). */
export function inceptionV1Module(x: tf.SymbolicTensor, args: InceptionArgs): tf.SymbolicTensor {
  const {widths: w, wideKernel = 5, name} = args;
  const conv = (input: tf.SymbolicTensor, filters: number, kernelSize: number, part: string) =>
      convBnAct(input, {filters, kernelSize, name: `${name}_${part}`});
  const b1 = conv(x, w.b1, 1, 'b1');
  const b3 = conv(conv(x, w.b3Reduce, 1, 'b3_reduce'), w.b3, 3, 'b3');
  const b5 = conv(conv(x, w.b5Reduce, 1, 'b5_reduce'), w.b5, wideKernel, 'b5');
  const pooled = applyTo(tf.layers.maxPooling2d({poolSize: 3, strides: 1, padding: 'same', name: `${name}_pool`}), x);
  const bPool = conv(pooled, w.poolProj, 1, 'pool_proj');
  return applyTo(tf.layers.concatenate({name: `${name}_concat`}), [b1, b3, b5, bPool]);
}

/** Channel concatenation of parallel branches. */
export function concat(xs: tf.SymbolicTensor[], name: string): tf.SymbolicTensor {
  return applyTo(tf.layers.concatenate({name}), xs);
}

/** 3x3 pooling that keeps the grid (the pool branch of a module). */
export function poolSame(x: tf.SymbolicTensor, kind: 'avg' | 'max', name: string): tf.SymbolicTensor {
  const args = {poolSize: 3, strides: 1, padding: 'same' as const, name};
  return applyTo(kind === 'avg' ? tf.layers.averagePooling2d(args) : tf.layers.maxPooling2d(args), x);
}

/** 3x3 stride-2 max pool: the pool branch of a grid reduction (Rethinking §5). */
export function maxPoolDown(x: tf.SymbolicTensor, name: string, padding: 'same' | 'valid' = 'valid'): tf.SymbolicTensor {
  return applyTo(tf.layers.maxPooling2d({poolSize: 3, strides: 2, padding, name}), x);
}

/** One conv -> BN -> ReLU step of an Inception module. */
export interface InceptionConvArgs {
  filters: number;
  /** Square side, or [height, width] for the asymmetric 1 x n and n x 1 kernels. */
  kernel: number | [number, number];
  name: string;
  /** Default 1. */
  strides?: number;
  /** Default 'same'; grid reductions use 'valid'. */
  padding?: 'same' | 'valid';
}

/** A conv -> BN -> ReLU step as the Inception builders call it. */
export type InceptionConv = (x: tf.SymbolicTensor, args: InceptionConvArgs) => tf.SymbolicTensor;

/** `InceptionConv` over convBnAct; `bnScale: false` is Keras's BN without gamma. */
export function inceptionConv(bnScale = true): InceptionConv {
  return (x, {filters, kernel, name, strides = 1, padding = 'same'}) =>
      convBnAct(x, {filters, kernelSize: kernel, strides, padding, name, bnScale});
}

/** A branch of several conv steps one after another (1x1 reduce, then 3x3, ...). */
export function tower(conv: InceptionConv, x: tf.SymbolicTensor, steps: readonly InceptionConvArgs[]): tf.SymbolicTensor {
  return steps.reduce((y, step) => conv(y, step), x);
}

/**
 * The 7x7/2 first layer of GoogLeNet and BN-Inception, 64 channels:
 * 'conv', as their tables print it, or 'separable', a depthwise separable
 * 7x7 with depth multiplier 8 (the stem TF-slim released and the Xception
 * paper describes, and the only one that fits GoogLeNet Table 1's first row).
 */
export function stem7x7(input: tf.SymbolicTensor, kind: 'conv' | 'separable', name: string): tf.SymbolicTensor {
  if (kind === 'conv') return convBnAct(input, {filters: 64, kernelSize: 7, strides: 2, name});
  const y = applyTo(tf.layers.separableConv2d({filters: 64, kernelSize: 7, strides: 2, depthMultiplier: 8, padding: 'same',
                                       useBias: false, name: `${name}_conv`}), input);
  return activation(batchNorm(y, `${name}_bn`), 'relu', `${name}_act`);
}
