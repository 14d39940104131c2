/**
 * "Paper against ours": every published number chapter 01 touches, beside
 * what the lab computes, with the difference and, where a source is wrong
 * or ambiguous, why.
 */
import {Item, markdownItem, tableItem} from '../../display/show';
import {paperScaleRows, ratioRows, RETHINKING_TABLE3, table1Rows, V3_ABSTRACT_BN_OPS, GOOGLENET} from './paper';
import {REPLACEMENTS, replacementRows} from './arithmetic';
import {XCEPTION_TABLES} from '../xception/paper';

interface VersusRow {
  what: string;
  published: string;
  ours: string;
  note: string;
}

const count = (n: number) => n.toLocaleString('en-US');

export function versusRows(): VersusRow[] {
  const table1 = table1Rows();
  const ops = table1.reduce((a, r) => a + r.oursOps, 0);
  const params = table1.reduce((a, r) => a + r.ours, 0);
  const printed = table1.reduce((a, r) => a + r.paperParams, 0);
  const v3 = paperScaleRows().find(r => r.variant === 'inception_v3' && r.measure === 'macs');
  const rows: VersusRow[] = [
    {what: 'GoogLeNet, multiply-adds (Table 1 ops column)', published: '1.5 G', ours: `${(ops / 1e9).toFixed(3)} G`, note: `${GOOGLENET}; reproduces`},
    {what: 'GoogLeNet, parameters (Table 1 column)', published: `${(printed / 1e6).toFixed(2)} M`, ours: `${(params / 1e6).toFixed(2)} M`,
     note: 'the printed rows do not follow from the table\'s own filter counts (3a, 4c, 5b most)'},
    ...ratioRows().map(r => ({what: `GoogLeNet: ${r.claim}`, published: `${r.ratio}×`, ours: `${r.computed.toFixed(1)}×`, note: r.source})),
    ...replacementRows().filter(r => r.name !== REPLACEMENTS[3].name)
        .map(r => ({what: r.name, published: r.claim, ours: `${(r.saving * 100).toFixed(1)} % fewer weights`, note: 'reproduces'})),
    {what: 'Inception-v3, multiply-adds', published: `${RETHINKING_TABLE3[7].bnOps} G (Table 3), ${V3_ABSTRACT_BN_OPS} G (abstract)`,
     ours: v3 ? `${(v3.ours / 1e9).toFixed(2)} G` : '-', note: 'torchvision counts the same 5.71 G; the paper does not say what it counts'},
  ];
  for (const r of paperScaleRows()) {
    rows.push({what: `${r.variant}, ${r.measure === 'macs' ? 'multiply-adds' : r.measure}`, published: count(r.published), ours: count(r.ours),
               note: `${r.source}${r.withinTolerance ? '' : ' (outside the source\'s rounding)'}`});
  }
  return rows;
}

export function paperVersusOursSection(): Item[] {
  return [
    tableItem(versusRows(), [
      {header: 'number', value: r => r.what},
      {header: 'published', value: r => r.published},
      {header: 'the lab', value: r => r.ours},
      {header: 'source, and why they differ', value: r => r.note},
    ], 'Every published number chapter 01 touches'),
    markdownItem(unreconciledText()),
  ];
}

/** The two counts no source reconciles, with the numbers from the data and the built networks. */
function unreconciledText(): string {
  const keras = paperScaleRows().find(r => r.variant === 'inception_v3_keras' && r.measure === 'trainableParams')!;
  const xceptionPaper = XCEPTION_TABLES.params.inceptionV3;
  return `Unreconciled: the Xception paper's ${count(xceptionPaper)} parameters for Inception-v3 against Keras's ${count(keras.ours)} ` +
      `trainable, ${count(keras.ours - xceptionPaper)} apart; v3's ${RETHINKING_TABLE3[7].bnOps} against "${V3_ABSTRACT_BN_OPS} billion" multiply-adds.`;
}
