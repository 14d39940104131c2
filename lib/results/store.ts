/**
 * Experiment records on disk, one JSON file per run, named by a hash of the
 * run's configuration. Writes are atomic (a killed run leaves either no file
 * or a whole one), a re-run of the same configuration reuses its record, and
 * a corrupt file is reported and skipped, never fatal to a sweep or report.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {folderFromEnv} from '../environment';
import {REPO_ROOT} from '../root';
import {writeFailureReason, writeFileAtomic} from './atomic';

export const RECORD_FORMAT = 1;
export const DEFAULT_RESULTS_DIR = path.join(REPO_ROOT, 'results');
export const RESULTS_DIR_ENV = 'LAB_RESULTS_DIR';

/** $LAB_RESULTS_DIR resolved, or null when unset; an error when it cannot be a records folder. */
export function resultsDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  return folderFromEnv(RESULTS_DIR_ENV, {create: true, accepts: 'a folder for the records (made if missing)'}, env);
}

/** Anything JSON can hold; configs are hashed in canonical (sorted-key) form. */
export type Json = null | boolean | number | string | Json[] | {[key: string]: Json};

export interface StoredRecord<C extends Json = Json, R extends Json = Json> {
  format: number;
  key: string;
  config: C;
  result: R;
  createdAt: string;
}

export interface RecordProblem {
  file: string;
  problem: string;
}

/** JSON with object keys sorted at every level, so equal configs hash equally. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map(k => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`config value ${value} cannot be stored`);
  return JSON.stringify(value);
}

export function configKey(config: Json): string {
  return crypto.createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 20);
}

/** Where a record goes when its records folder cannot take it: the system's temporary folder. */
export function unsavedRecordsDir(): string {
  return path.join(os.tmpdir(), 'cnnlab-unsaved-records');
}

/** A run's name in messages: its network and seed where it has them, else its key. */
function describeConfig(config: Json): string {
  if (config == null || typeof config !== 'object' || Array.isArray(config)) return configKey(config);
  const parts = [config['model'], config['seed'] != null ? `seed ${String(config['seed'])}` : null].filter(p => p != null);
  return parts.length > 0 ? parts.map(String).join(', ') : configKey(config);
}

/** A record its records folder could not take, and where it went instead (or that it went nowhere). */
export class RecordWriteError extends Error {
  override readonly name = 'RecordWriteError';
  constructor(readonly file: string, readonly run: string, readonly reason: string, readonly savedTo: string | null, rescueFailure: string) {
    super(`could not write the record of ${run} to ${file}: ${reason}; nothing was left in ${path.dirname(file)}. ` +
        (savedTo != null ?
            `The trained result is saved in ${savedTo}: once there is room, move it into ${path.dirname(file)} ` +
            '(the lab then reuses it and trains nothing again).' :
            `It could not be saved in ${unsavedRecordsDir()} either (${rescueFailure}): the run must be trained again ` +
            'once the records folder can be written (everything recorded before it is kept).'));
  }
}

export class ResultsStore {
  readonly dir: string;
  /** Corrupt or unreadable records met so far (reported, then skipped). */
  readonly problems: RecordProblem[] = [];

  constructor(dir: string = resultsDirFromEnv() ?? DEFAULT_RESULTS_DIR) {
    this.dir = path.resolve(dir);
  }

  fileFor(config: Json): string {
    return path.join(this.dir, `${configKey(config)}.json`);
  }

  private read(file: string): StoredRecord | null {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.problems.push({file, problem: `unreadable: ${(error as Error).message}`});
      return null;
    }
    try {
      const record = JSON.parse(text) as StoredRecord;
      if (record == null || record.format !== RECORD_FORMAT || typeof record.key !== 'string' || !('result' in record)) {
        throw new Error(`not a format-${RECORD_FORMAT} lab record`);
      }
      return record;
    } catch (error) {
      this.problems.push({file, problem: `corrupt, skipped (delete it to re-run): ${(error as Error).message}`});
      return null;
    }
  }

  get<C extends Json, R extends Json>(config: C): StoredRecord<C, R> | null {
    const record = this.read(this.fileFor(config));
    if (record == null) return null;
    // A hash collision or a hand-edited file: never return another run's result.
    if (canonicalJson(record.config) !== canonicalJson(config)) {
      this.problems.push({file: this.fileFor(config), problem: 'config does not match its file name; ignored'});
      return null;
    }
    return record as StoredRecord<C, R>;
  }

  /**
   * Writes `result` as the record of `config`. When the records folder cannot
   * take it (a full disk, no permission), nothing is left there and the
   * record goes to UNSAVED_RECORDS_DIR instead; the error then says where it
   * is and how to put it in place, so a trained result is never lost silently.
   */
  put<C extends Json, R extends Json>(config: C, result: R): StoredRecord<C, R> {
    const record: StoredRecord<C, R> = {
      format: RECORD_FORMAT, key: configKey(config), config, result, createdAt: new Date().toISOString(),
    };
    const text = JSON.stringify(record, null, 1) + '\n';
    const file = this.fileFor(config);
    try {
      writeFileAtomic(file, text);
    } catch (error) {
      const rescue = path.join(unsavedRecordsDir(), path.basename(file));
      let savedTo: string | null = rescue;
      let rescueFailure = '';
      try {
        writeFileAtomic(rescue, text);
      } catch (second) {
        savedTo = null;
        rescueFailure = writeFailureReason(second);
      }
      throw new RecordWriteError(file, describeConfig(config), writeFailureReason(error), savedTo, rescueFailure);
    }
    return record;
  }

  /**
   * The record of `config`, or, when there is none (or `fresh`), `run()`'s
   * result stored as its record. Records are written whole before this
   * returns, so a sweep killed between runs resumes where it stopped; the
   * store is read again right before running, so a record another process
   * wrote meanwhile is reused.
   */
  async getOrRun<C extends Json, R extends Json>(config: C, run: () => Promise<R>, options: {fresh?: boolean} = {}):
      Promise<{record: StoredRecord<C, R>; reused: boolean}> {
    const cached = options.fresh ? null : this.get<C, R>(config);
    if (cached != null) return {record: cached, reused: true};
    return {record: this.put(config, await run()), reused: false};
  }

  /** Every readable record; corrupt ones land in `problems`. */
  list(): StoredRecord[] {
    if (!fs.existsSync(this.dir)) return [];
    return fs.readdirSync(this.dir).filter(f => f.endsWith('.json')).sort()
        .map(f => this.read(path.join(this.dir, f))).filter((r): r is StoredRecord => r != null);
  }
}
