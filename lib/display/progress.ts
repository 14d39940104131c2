/**
 * Progress for long work: an HTML bar updated in place in notebooks, a
 * cli-progress bar on a terminal, and a few plain lines when stderr is a log
 * file (CI), so a long run never looks hung and never floods the log.
 *
 * The bar owns the yield to the event loop that a tslab kernel needs: a
 * display message is only sent once the event loop turns (mime.ts), so
 * `update` and `finish` are async and return after that turn. Code that
 * trains awaits them and needs no event-loop tricks of its own.
 */
import * as cliProgress from 'cli-progress';

import {DisplaySlot, MimeBundle, escapeHtml, inNotebook, sentSinceLastYield, yieldToEventLoop} from './mime';

export interface Progress {
  /** Sets the finished units and an optional status text. */
  update(done: number, status?: string): Promise<void>;
  /**
   * Marks the work finished (or stopped) and freezes the final state: in a
   * notebook one summary line, with `data` (MIME type -> JSON) beside it for
   * whoever reads the executed notebook.
   */
  finish(status?: string, data?: MimeBundle): Promise<void>;
}

export type ProgressTarget = 'notebook' | 'terminal' | 'silent';

export interface ProgressOptions {
  total: number;
  label: string;
  /** Where to draw; default: the notebook in a kernel, else the terminal. */
  target?: ProgressTarget;
}

/** The MIME type that carries a progress bar's state as data (cnnlab run reads it to show progress on the terminal). */
export const PROGRESS_MIME = 'application/vnd.cnnlab.progress+json';

export interface ProgressState {
  label: string;
  done: number;
  total: number;
  status: string;
  finished: boolean;
}

/** Pure: the bundle a notebook progress bar shows. A finished bar is one summary line. */
export function progressBundle(label: string, done: number, total: number, status = '', finished = false): MimeBundle {
  const pct = total > 0 ? Math.min(100, (100 * done) / total) : 100;
  const text = `${label}: ${finished ? '' : `${pct.toFixed(0)}% `}${status}`.trimEnd();
  const state: ProgressState = {label, done, total, status, finished};
  const html = finished ?
      `<div class="cnnlab-progress cnnlab-progress-done" style="font-family:monospace">✓ ${escapeHtml(label)}: ${escapeHtml(status)}</div>` :
      `<div class="cnnlab-progress" style="font-family:monospace">` +
        `<progress value="${done}" max="${total}" style="width:320px;vertical-align:middle"></progress> ` +
        `${escapeHtml(label)} ${pct.toFixed(0)}% ${escapeHtml(status)}</div>`;
  return {[PROGRESS_MIME]: state, 'text/html': html, 'text/plain': text};
}

/** Updates at most this often; a cell's output is re-sent on every update. */
const MIN_INTERVAL_MS = 250;

class NotebookProgress implements Progress {
  private readonly slot = new DisplaySlot();
  private lastShown = 0;
  private lastYield = Date.now();
  constructor(private readonly label: string, private readonly total: number) {
    this.slot.show(progressBundle(label, 0, total));
  }
  async update(done: number, status = ''): Promise<void> {
    const now = Date.now();
    // An update is droppable: never risk a second send in one event-loop turn
    // (mime.ts); the next update carries newer numbers anyway.
    if (now - this.lastShown >= MIN_INTERVAL_MS && !sentSinceLastYield()) {
      this.lastShown = now;
      this.slot.show(progressBundle(this.label, done, this.total, status));
    }
    // Let the send complete, and let the kernel answer Jupyter's requests
    // now and then while the caller computes.
    if (sentSinceLastYield() || now - this.lastYield >= MIN_INTERVAL_MS) {
      await yieldToEventLoop();
      this.lastYield = Date.now();
    }
  }
  async finish(status = 'done', data: MimeBundle = {}): Promise<void> {
    if (sentSinceLastYield()) await yieldToEventLoop();
    this.slot.show({...data, ...progressBundle(this.label, this.total, this.total, status, true)});
    await yieldToEventLoop();
  }
}

class TerminalProgress implements Progress {
  private readonly bar: cliProgress.SingleBar;
  constructor(label: string, total: number) {
    this.bar = new cliProgress.SingleBar({
      format: `${label} [{bar}] {percentage}% {status}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    this.bar.start(total, 0, {status: ''});
  }
  async update(done: number, status = ''): Promise<void> {
    this.bar.update(done, {status});
  }
  async finish(status = 'done'): Promise<void> {
    this.bar.update(this.bar.getTotal(), {status});
    this.bar.stop();
  }
}

/** Not a TTY (CI logs, pipes): a line at each quarter. */
class LogProgress implements Progress {
  private nextQuarter = 1;
  constructor(private readonly label: string, private readonly total: number) {}
  async update(done: number, status = ''): Promise<void> {
    while (this.total > 0 && done >= (this.nextQuarter * this.total) / 4 && this.nextQuarter < 4) {
      process.stderr.write(`${this.label}: ${Math.round(100 * done / this.total)}% ${status}\n`);
      this.nextQuarter++;
    }
  }
  async finish(status = 'done'): Promise<void> {
    process.stderr.write(`${this.label}: ${status}\n`);
  }
}

class SilentProgress implements Progress {
  async update(): Promise<void> {}
  async finish(): Promise<void> {}
}

export function createProgress(options: ProgressOptions): Progress {
  const {total, label} = options;
  if (!(Number.isFinite(total) && total >= 0)) {
    throw new Error(`progress total must be a number >= 0, got ${total}`);
  }
  const target = options.target ?? (inNotebook() ? 'notebook' : 'terminal');
  switch (target) {
    case 'notebook':
      return new NotebookProgress(label, total);
    case 'terminal':
      return process.stderr.isTTY ? new TerminalProgress(label, total) : new LogProgress(label, total);
    case 'silent':
      return new SilentProgress();
  }
}
