/**
 * Byte addresses for generated kernels, written as the element they point
 * at: `elementAt(get('xp'), [Hp, Wp, Cin], [{b: 1}, {oy: stride}, 0, 0])`
 * reads as xp[b, oy * stride, 0, 0], where the WebAssembly text it stands
 * for is a nest of i32.add and i32.mul that a reader has to unpick. The
 * arrays' sizes are constants of the generated module, so each local's
 * stride folds into one immediate.
 */

const F32 = 4;

/**
 * An index along one axis: locals, each times a constant, summed
 * (`{g: n, vi: 4}` is g * n + 4 * vi); 0 for the axis's first element.
 */
export type Index = Readonly<Record<string, number>> | 0;

/**
 * The byte address of element `index` of a row-major float32 array at
 * `base` (an i32 expression) whose axes after the first have `sizes` (no
 * address needs the first axis's size): base plus, for each local, the
 * local times its constant times its axis's stride in bytes.
 */
export function elementAt(base: string, sizes: readonly number[], index: readonly Index[]): string {
  if (index.length !== sizes.length + 1) {
    throw new Error(`elementAt: ${index.length} indices need the sizes of the ${index.length - 1} axes after the first, got ${sizes.length}`);
  }
  const strides: number[] = new Array(index.length);
  strides[index.length - 1] = F32;
  for (let axis = index.length - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1] * sizes[axis];
  const bytesPerLocal = new Map<string, number>();
  index.forEach((terms, axis) => {
    if (terms === 0) return;
    for (const [local, times] of Object.entries(terms)) bytesPerLocal.set(local, (bytesPerLocal.get(local) ?? 0) + times * strides[axis]);
  });
  return [...bytesPerLocal].reduce((sum, [local, bytes]) => `(i32.add ${sum} (i32.mul (local.get $${local}) (i32.const ${bytes})))`, base);
}
