/**
 * Runs a list of configurations, reusing every stored record: an interrupted
 * sweep resumes where it stopped, because each finished run was written
 * atomically before the next began.
 */
import {yieldToEventLoop} from '../notebook/mime';
import {createProgress} from '../notebook/progress';
import {Json, ResultsStore, StoredRecord} from './store';

export interface SweepOptions {
  store?: ResultsStore;
  /** Ignore stored records and run everything again. */
  fresh?: boolean;
  label?: string;
  progress?: 'notebook' | 'terminal' | 'silent';
}

export interface SweepOutcome<C extends Json, R extends Json> {
  records: Array<StoredRecord<C, R>>;
  /** How many configurations were run now (the rest came from the store). */
  ran: number;
  reused: number;
}

export async function runSweep<C extends Json, R extends Json>(
    configs: readonly C[], runOne: (config: C, index: number) => Promise<R>,
    options: SweepOptions = {}): Promise<SweepOutcome<C, R>> {
  const store = options.store ?? new ResultsStore();
  const progress = createProgress({total: configs.length, label: options.label ?? 'sweep', target: options.progress});
  const records: Array<StoredRecord<C, R>> = [];
  let ran = 0;
  for (const [index, config] of configs.entries()) {
    const cached = options.fresh ? null : store.get<C, R>(config);
    if (cached != null) {
      records.push(cached);
    } else {
      records.push(store.put(config, await runOne(config, index)));
      ran++;
    }
    await yieldToEventLoop();
    progress.update(index + 1, `${ran} run, ${index + 1 - ran} reused`);
    // The next run's own progress bar is a display message too (mime.ts).
    await yieldToEventLoop();
  }
  await yieldToEventLoop();
  progress.finish(`${ran} run, ${configs.length - ran} reused`);
  await yieldToEventLoop();
  return {records, ran, reused: configs.length - ran};
}
