import './lib/layers';
import {costOf} from './lib/cost';
import {buildCondenseNet} from './lib/models/condensenet';
for (const n of [8, 12, 14, 16, 18, 20]) for (const converted of [false, true]) {
  const m = buildCondenseNet({stages: `${n}-${n}-${n}`, converted});
  const t = costOf(m, 'condensenet').totals;
  console.log(6 * n + 2, converted, t.trainableParams, t.macs);
  m.dispose();
}
