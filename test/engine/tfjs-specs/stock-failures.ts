/**
 * The specs of tfjs-core's suite that fail on a stock backend (TF.js 4.22),
 * each with the reason; `fixedBy` names the lab kernel with which it passes.
 * The suite test checks both ways: a stock failure not listed here, or a
 * listed one that passes, is reported (TF.js changed: update the list); with
 * the lab's kernels, exactly the listed failures without `fixedBy` remain.
 * Where a lab model could meet one of these, the reason says so.
 */

export interface StockFailure {
  why: string;
  /** The lab's kernel that makes the spec pass. */
  fixedBy?: string;
}

const COMPLEX: StockFailure = {why: "tfjs-backend-wasm has no Complex kernel, so complex64 tensors cannot be made; the lab's models are float32"};
const NCHW: StockFailure = {why: "tfjs-backend-wasm's convolutions (XNNPACK) take channels-last (NHWC) only; every lab model is NHWC"};
const BIAS_RANK: StockFailure = {why: "tfjs-backend-wasm's fused ops take a rank-1 bias only; the lab's layers add one bias per channel (rank 1)"};
const NON_FLOAT_MATMUL: StockFailure = {why: "tfjs-backend-wasm's BatchMatMul takes float32 only (no int32 upcast); the lab multiplies float32"};
const FRACTIONAL_POOL: StockFailure = {
  why: "tfjs-backend-wasm's pools read outside the input when explicit padding gives a fractional output size (1x1 window, " +
       "stride 2, padding 1: values like 1e-40); the lab's pools pad 'same' or 'valid', never explicitly",
};
const FRACTIONAL_MAX_POOL: StockFailure = {...FRACTIONAL_POOL, fixedBy: 'MaxPool'};
const STRING_TILE: StockFailure = {
  why: "tfjs-backend-wasm's Tile aborts the module on string tensors (the lab's Tile hands any non-float32 tensor to it); the lab tiles float32 only",
};
const CLIP_NAN: StockFailure = {
  why: "tfjs-backend-wasm's ClipByValue (XNNPACK's clamp) turns NaN into the lower bound instead of keeping it; the lab's " +
       'clamp keeps it, as cpu does',
  fixedBy: 'ClipByValue',
};
const CAST_BOOL: StockFailure = {
  why: "tfjs-backend-wasm's Cast to bool stores each number's low byte (3 stays 3, -2 becomes 254, 256 becomes 0) instead of 1 " +
       "for any non-zero, as cpu does; the lab's Cast gives 0 or 1",
  fixedBy: 'Cast',
};
const LONG_STRING_VERBOSE: StockFailure = {
  why: "tfjs-backend-wasm throws 'Unknown dtype string' printing a long string tensor verbosely (its heap views hold numbers " +
       'only); the lab prints no string tensors',
};
const CONV_FILTER: StockFailure = {why: 'tfjs-backend-wasm has no Conv2DBackpropFilter kernel', fixedBy: 'Conv2DBackpropFilter'};
const DEPTHWISE_INPUT: StockFailure = {why: 'tfjs-backend-wasm has no DepthwiseConv2dNativeBackpropInput kernel', fixedBy: 'DepthwiseConv2dNativeBackpropInput'};
const DEPTHWISE_FILTER: StockFailure = {why: 'tfjs-backend-wasm has no DepthwiseConv2dNativeBackpropFilter kernel', fixedBy: 'DepthwiseConv2dNativeBackpropFilter'};
const IDENTITY_COPIES: StockFailure = {
  why: "tfjs-backend-wasm's Identity copies the tensor, so the clones tf.customGrad saves count as new data in TF.js's " +
       "leak check (test mode); the lab's Identity shares the data, as cpu's does",
  fixedBy: 'Identity',
};

/** By backend: spec ("<spec file> > <suite> <spec>", repeats numbered "(#2)") -> why it fails there. */
export const STOCK_FAILURES: Readonly<Record<'wasm' | 'cpu' | 'webgpu', ReadonlyMap<string, StockFailure>>> = {
  wasm: new Map<string, StockFailure>([
    ["ops/arithmetic_test.js > mul complex number multiplication", COMPLEX],
    ["ops/arithmetic_test.js > mul complex number broadcasting multiplication", COMPLEX],
    ["ops/add_test.js > add complex number addition", COMPLEX],
    ["ops/add_test.js > add complex number reshape and then addition", COMPLEX],
    ["ops/add_test.js > add complex number broadcasting addition", COMPLEX],
    ["ops/add_test.js > add upcasts when dtypes dont match", COMPLEX],
    ["ops/sub_test.js > sub complex number subtraction", COMPLEX],
    ["ops/sub_test.js > sub complex number broadcasting subtraction", COMPLEX],
    ["ops/sub_test.js > sub upcasts when dtypes dont match", COMPLEX],
    ["ops/concat_test.js > concat1d concat complex input", COMPLEX],
    ["ops/concat_test.js > concat2d concat complex input axis=0", COMPLEX],
    ["ops/concat_test.js > concat2d concat complex input axis=1", COMPLEX],
    ["ops/concat_test.js > concat3d concat complex input axis=0", COMPLEX],
    ["ops/concat_test.js > concat3d concat complex input axis=1", COMPLEX],
    ["ops/concat_test.js > concat3d concat complex input axis=1 (#2)", COMPLEX],
    ["ops/conv1d_test.js > conv1d gradient with clones, input=2x2x1,d2=1,f=1,s=1,d=1,p=same", CONV_FILTER],
    ["ops/conv1d_test.js > conv1d conv1d gradients input=14x1,d2=1,f=3x1x1,s=1,p=valid", CONV_FILTER],
    ["ops/conv2d_test.js > conv2d x=[2,1,2,2] f=[1,1,1,1] s=1 d=1 p=0 NCHW", NCHW],
    ["ops/conv2d_test.js > conv2d x=[1,2,2] f=[2,2,1,1] s=1 d=1 p=same NCHW", NCHW],
    ["ops/conv2d_test.js > conv2d x=[4,2,2] f=[1,1,4,4] s=1 d=1 p=same NCHW", NCHW],
    ["ops/conv2d_test.js > conv2d x=[3,2,2] f=[1,1,3,4] s=1 d=1 p=same NCHW", NCHW],
    ["ops/conv2d_test.js > conv2d x=[2,2,2,2] f=[1,1,4,4] s=1 d=1 p=same NCHW", NCHW],
    ["ops/conv2d_test.js > conv2d x=[4,2,2] f=[2,2,4,4] s=1 d=1 p=same NCHW", NCHW],
    ["ops/conv2d_test.js > conv2d x=[1,2,2] f=[2,2,1,1] s=1 d=1 p=explicit NCHW", NCHW],
    ["ops/conv2d_test.js > conv2d x=[2,2,2] f=[2,2,2,1] s=1 d=1 p=same NCHW", NCHW],
    ["ops/conv2d_test.js > conv2d x=[2,1,2,2] f=[2,2,1,1] s=1 d=1 p=same NCHW", NCHW],
    ["ops/conv2d_test.js > conv2d gradient with clones input=[3,3,1] f=[2,2,1,1] s=1 p=0", CONV_FILTER],
    ["ops/conv2d_test.js > conv2d gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0", CONV_FILTER],
    ["ops/conv2d_test.js > conv2d gradient x=[1,1,3,3] f=[2,2,1,1] s=1 p=0 NCHW", NCHW],
    ["ops/conv2d_test.js > conv2d gradient x=[2,1,3,3] f=[2,2,1,1] s=1 p=0 NCHW", NCHW],
    ["ops/conv2d_transpose_test.js > conv2dTranspose gradient with clones input=[1,3,3,1] f=[2,2,2,1] s=1 padding=valid", CONV_FILTER],
    ["ops/conv2d_transpose_test.js > conv2dTranspose gradient input=[1,2,2,1] f=[2,2,2,1] s=[2,2] padding=valid", CONV_FILTER],
    ["ops/conv2d_transpose_test.js > conv2dTranspose gradient input=[1,3,3,1] f=[2,2,2,1] s=[1,1] padding=same", CONV_FILTER],
    ["ops/conv2d_transpose_test.js > conv2dTranspose gradient input=[1,3,3,1] f=[2,2,2,1] s=[1,1] p=explicit", CONV_FILTER],
    ["ops/conv2d_transpose_test.js > conv2dTranspose gradient input=[1,2,2,2] f=[2,2,2,1] s=[2,2] padding=same", CONV_FILTER],
    ["ops/depthwise_conv2d_test.js > depthwiseConv2d gradients wrt input", DEPTHWISE_INPUT],
    ["ops/depthwise_conv2d_test.js > depthwiseConv2d gradients wrt input, squared output", DEPTHWISE_INPUT],
    ["ops/depthwise_conv2d_test.js > depthwiseConv2d gradients wrt filter", DEPTHWISE_FILTER],
    ["ops/depthwise_conv2d_test.js > depthwiseConv2d gradients gradient with clones", DEPTHWISE_INPUT],
    ["ops/depthwise_conv2d_test.js > depthwiseConv2d gradients wrt filter, squared output", DEPTHWISE_FILTER],
    ["ops/depthwise_conv2d_test.js > depthwiseConv2d gradients wrt input, stride=2, pad=valid", DEPTHWISE_INPUT],
    ["ops/depthwise_conv2d_test.js > depthwiseConv2d gradients wrt filter, stride=2, pad=valid", DEPTHWISE_FILTER],
    ["ops/depthwise_conv2d_test.js > depthwiseConv2d gradients gradient with clones (#2)", DEPTHWISE_INPUT],
    ["ops/fused/fused_conv2d_test.js > fused conv2d basic with broadcasted bias and relu", BIAS_RANK],
    ["ops/fused/fused_conv2d_test.js > fused conv2d basic in NCHW", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d basic in NCHW with scalar bias", BIAS_RANK],
    ["ops/fused/fused_conv2d_test.js > fused conv2d basic in NCHW with 1-D bias", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d basic in NCHW with bias and multiple batches", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d basic in NCHW with scalar PReLU actiavation", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d basic in NCHW with 1-D PReLU actiavation", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d basic in NCHW with 3-D PReLU actiavation", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d basic in NCHW with full 3-D PReLU actiavation", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d im2row with broadcasted bias and relu", BIAS_RANK],
    ["ops/fused/fused_conv2d_test.js > fused conv2d im2row in NCHW", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d im2row in NCHW with scalar bias", BIAS_RANK],
    ["ops/fused/fused_conv2d_test.js > fused conv2d im2row in NCHW with 1-D bias", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d im2row in NCHW with scalar PReLU actiavation weights", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d im2row in NCHW with 1-D PReLU actiavation weights", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d im2row in NCHW with 3-D PReLU actiavation weights", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d im2row in NCHW with full 3-D PReLU actiavation weights", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d batch in NCHW", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d batch in NCHW with scalar bias", BIAS_RANK],
    ["ops/fused/fused_conv2d_test.js > fused conv2d batch in NCHW with 1-D bias", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d batch in NCHW with scalar PReLU actiavation weights", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d batch in NCHW with 1-D PReLU actiavation weights", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d batch in NCHW with 3-D PReLU actiavation weights", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d batch in NCHW with full 3-D PReLU actiavation weights", NCHW],
    ["ops/fused/fused_conv2d_test.js > fused conv2d backProp input x=[2,3,3,1] f=[2,2,1,1] s=1 p=0", IDENTITY_COPIES],
    ["ops/fused/fused_conv2d_test.js > fused conv2d gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0", IDENTITY_COPIES],
    ["ops/fused/fused_conv2d_test.js > fused conv2d gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0 with bias", BIAS_RANK],
    ["ops/fused/fused_conv2d_test.js > fused conv2d gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0 with bias and relu", CONV_FILTER],
    ["ops/fused/fused_conv2d_test.js > fused conv2d gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0 with bias and elu", CONV_FILTER],
    ["ops/fused/fused_depthwise_conv2d_test.js > fused depthwiseConv2D basic with broadcasted bias and relu", BIAS_RANK],
    ["ops/fused/fused_depthwise_conv2d_test.js > fused depthwiseConv2D gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0", IDENTITY_COPIES],
    ["ops/fused/fused_depthwise_conv2d_test.js > fused depthwiseConv2D gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0 with bias", BIAS_RANK],
    ["ops/fused/fused_depthwise_conv2d_test.js > fused depthwiseConv2D gradient x=[2,3,3,1] f=[2,2,1,1] s=1 p=0 with bias and activation", DEPTHWISE_INPUT],
    ["ops/fused/fused_mat_mul_test.js > fused matmul fused A x B with 2d bias and relu", BIAS_RANK],
    ["ops/fused/fused_mat_mul_test.js > fused matmul fused A x B with relu and broadcasted bias different rank", BIAS_RANK],
    ["ops/fused/fused_mat_mul_test.js > fused matmul fused A x B with 2d bias only", BIAS_RANK],
    ["ops/mat_mul_test.js > matmul upcasts when dtypes dont match", NON_FLOAT_MATMUL],
    ["ops/pool_test.js > pool max x=[2,2,3] f=[1,1] s=2 p=1 fractional outputs default rounding", FRACTIONAL_MAX_POOL],
    ["ops/pool_test.js > pool avg x=[2,2,3] f=[1,1] s=2 p=1 fractional outputs default rounding", FRACTIONAL_POOL],
    ["ops/clone_test.js > clone 1D complex64 dtype", COMPLEX],
    ["ops/clone_test.js > clone 2D complex64 dtype", COMPLEX],
    ["ops/clone_test.js > clone 3D complex64 dtype", COMPLEX],
    ["ops/clone_test.js > clone 4D complex64 dtype", COMPLEX],
    ["ops/tile_test.js > tile 1d string tensor", STRING_TILE],
    ["ops/tile_test.js > tile 2d string tensor", STRING_TILE],
    ["ops/tile_test.js > tile 6D string tensor", STRING_TILE],
    ["ops/clip_by_value_test.js > clipByValue basic vec4", CLIP_NAN],
    ["ops/clip_by_value_test.js > clipByValue propagates NaNs", CLIP_NAN],
    ["gradients_test.js > customGradient second order derivative through customGradient", IDENTITY_COPIES],
    ["gradients_test.js > customGradient calling gradient of custom op twice works", IDENTITY_COPIES],
    ["tensor_test.js > tensor Scalar complex64 dtype", COMPLEX],
    ["tensor_test.js > tensor Tensor1D complex64 dtype", COMPLEX],
    ["tensor_test.js > tensor Tensor2D complex64 dtype", COMPLEX],
    ["tensor_test.js > tensor Tensor3D complex64 dtype", COMPLEX],
    ["tensor_test.js > tensor Tensor4D complex64 dtype", COMPLEX],
    ["tensor_test.js > tensor cast complex64 -> float32", COMPLEX],
    ["tensor_test.js > tensor cast complex64 -> int32", COMPLEX],
    ["tensor_test.js > tensor cast complex64 -> bool", COMPLEX],
    ["tensor_test.js > tensor squeeze a complex64 tensor", COMPLEX],
    ["tensor_test.js > tensor ones with complex type", COMPLEX],
    ["tensor_test.js > tensor arraySync .arraySync() with a complex tensor", COMPLEX],
    ["tensor_test.js > tensor.toString scalar complex64 verbose", COMPLEX],
    ["tensor_test.js > tensor.toString 1d complex64 tensor verbose", COMPLEX],
    ["tensor_test.js > tensor.toString 2d complex64 tensor verbose", COMPLEX],
    ["tensor_test.js > tensor.toString 3d complex64 tensor verbose", COMPLEX],
    ["tensor_test.js > tensor.toString 1d long complex64 tensor verbose", COMPLEX],
    ["tensor_test.js > tensor.toString 2d long complex64 tensor verbose", COMPLEX],
    ["tensor_test.js > tensor.toString 2d complex64 with padding to align columns verbose", COMPLEX],
    ["tensor_test.js > tensor.toString scalar complex64", COMPLEX],
    ["tensor_test.js > tensor.toString 1d complex64 tensor", COMPLEX],
    ["tensor_test.js > tensor.toString 2d complex64 tensor", COMPLEX],
    ["tensor_test.js > tensor.toString 3d complex64 tensor", COMPLEX],
    ["tensor_test.js > tensor.toString 1d long complex64 tensor", COMPLEX],
    ["tensor_test.js > tensor.toString 2d long complex64 tensor", COMPLEX],
    ["tensor_test.js > tensor.toString 2d complex64 with padding to align columns", COMPLEX],
    ["tensor_test.js > tensor with 0 in shape complex64 with 0 in shape", COMPLEX],
    ["tensor_test.js > tensor Tensor2D float32 -> bool", CAST_BOOL],
    ["tensor_test.js > tensor Tensor2D int32 -> bool", CAST_BOOL],
    ["tensor_test.js > tensor.toString 1d long string tensor verbose", LONG_STRING_VERBOSE],
    ["tensor_test.js > tensor.toString 2d long string tensor verbose", LONG_STRING_VERBOSE],
  ]),
  cpu: new Map(),
  webgpu: new Map(),
};
