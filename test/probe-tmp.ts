import {proseOf, tablesOf, Item} from '../lib/display/show';
import * as ch from '../lib/chapters/condensenet';
import {runPlan} from '../lib/experiments/runner';
(async () => {
  const budget = (process.argv[2] ?? 'smoke') as 'smoke';
  const pre: Array<[string, () => Item[]]> = [['group', ch.groupConvSection], ['dense', ch.denseNetSection], ['published', ch.publishedSection]];
  for (const [name, f] of pre) { const items = f(); console.log('=====', name); console.log(proseOf(items)); for (const t of tablesOf(items)) console.log(JSON.stringify(t.rows).slice(0, 600)); }
  const result = await runPlan(ch.plan(budget), {backend: 'wasm', progress: 'terminal'});
  const sections: Array<[string, Item[]]> = [
    ['noise', ch.noiseSection(result)], ['pointwise', ch.pointwiseSection(result)], ['condensing', ch.condensingSection(result)],
    ['masks', ch.masksSection(result)], ['index', ch.indexLayerSection(result)], ['conversion', ch.conversionSection(result)],
    ['ablation', ch.ablationSection(result)], ['cost', ch.costSection(result)], ['findings', ch.findingsSection(result)],
  ];
  for (const [name, items] of sections) {
    console.log('=====', name); console.log(proseOf(items));
    for (const t of tablesOf(items)) console.log(JSON.stringify(t.rows).slice(0, 800));
  }
})();
