/**
 * Adam's update of one variable as WebAssembly text (sources/index.ts
 * assembles the module).
 */
import {lanesThenTail} from './loops';

/** The f32 parameters, splatted to v128 locals of the same name with a `$v` prefix for the lanes. */
const SCALARS = ['beta1', 'beta2', 'oneMinusBeta1', 'oneMinusBeta2', 'correction1', 'correction2', 'epsilon', 'negativeRate'];

/**
 * For i < n, in TF.js's AdamOptimizer's order of float32 operations:
 *   m' = m * beta1 + g * (1 - beta1)
 *   v' = v * beta2 + g^2 * (1 - beta2)
 *   value' = (m' / correction1) / (sqrt(v' / correction2) + epsilon) * -rate + value
 * writing m', v' and value' to their own outputs. correctionK = 1 - betaK^t.
 */
export const ADAM_UPDATE = String.raw`
(func (export "adamUpdate")
    (param $value i32) (param $m i32) (param $v i32) (param $g i32)
    (param $valueOut i32) (param $mOut i32) (param $vOut i32) (param $n i32)
    ${SCALARS.map(s => `(param $${s} f32)`).join(' ')}
  (local $i i32) (local $n4 i32)
  ${SCALARS.map(s => `(local $v${s} v128)`).join(' ')}
  (local $vg v128) (local $vm v128) (local $vv v128) (local $fg f32) (local $fm f32) (local $fv f32)
  (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
  ${SCALARS.map(s => `(local.set $v${s} (f32x4.splat (local.get $${s})))`).join('\n  ')}
  ${lanesThenTail({counter: '$i', lanesLimit: '$n4', limit: '$n', pointers: ['$value', '$m', '$v', '$g', '$valueOut', '$mOut', '$vOut'], body: w => {
    const f = w.name === 'lanes' ? 'f32x4' : 'f32', local = (name: string) => `(local.get ${w.local}${name})`;
    const scalar = (name: string) => w.name === 'lanes' ? `(local.get $v${name})` : `(local.get $${name})`;
    return `
    (local.set ${w.local}g (${w.load} (local.get $g)))
    (local.set ${w.local}m (${f}.add (${f}.mul (${w.load} (local.get $m)) ${scalar('beta1')}) (${f}.mul ${local('g')} ${scalar('oneMinusBeta1')})))
    (local.set ${w.local}v (${f}.add (${f}.mul (${w.load} (local.get $v)) ${scalar('beta2')})
                                     (${f}.mul (${f}.mul ${local('g')} ${local('g')}) ${scalar('oneMinusBeta2')})))
    (${w.store} (local.get $mOut) ${local('m')})
    (${w.store} (local.get $vOut) ${local('v')})
    (${w.store} (local.get $valueOut) (${f}.add
      (${f}.mul (${f}.div (${f}.div ${local('m')} ${scalar('correction1')})
                          (${f}.add (${f}.sqrt (${f}.div ${local('v')} ${scalar('correction2')})) ${scalar('epsilon')}))
                ${scalar('negativeRate')})
      (${w.load} (local.get $value))))`;
  }})}
)
`;
