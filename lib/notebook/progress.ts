/**
 * Progress for long work: an HTML bar updated in place in notebooks, a
 * cli-progress bar on a terminal, and a few plain lines when stderr is a log
 * file (CI), so a long run never looks hung and never floods the log.
 */
import * as cliProgress from 'cli-progress';

import {DisplaySlot, MimeBundle, escapeHtml, inNotebook, sentSinceLastYield} from './mime';

export interface Progress {
  /** Sets the number of finished units and an optional status text. */
  update(done: number, status?: string): void;
  /** Marks the work finished (or stopped) and freezes the final state. */
  finish(status?: string): void;
}

export interface ProgressOptions {
  total: number;
  label: string;
  /** Where to draw; default: the notebook in a kernel, else the terminal. */
  target?: 'notebook' | 'terminal' | 'silent';
}

/** Pure: the bundle a notebook progress bar shows. */
export function progressBundle(label: string, done: number, total: number, status = ''): MimeBundle {
  const pct = total > 0 ? Math.min(100, (100 * done) / total) : 100;
  const text = `${label}: ${done}/${total} (${pct.toFixed(0)}%) ${status}`.trimEnd();
  return {
    'text/html': `<div class="cnnlab-progress" style="font-family:monospace">` +
        `<progress value="${done}" max="${total}" style="width:320px;vertical-align:middle"></progress> ` +
        `${escapeHtml(label)} ${done}/${total} ${escapeHtml(status)}</div>`,
    'text/plain': text,
  };
}

/** Updates at most this often; a cell's output is re-sent on every update. */
const MIN_INTERVAL_MS = 250;

class NotebookProgress implements Progress {
  private readonly slot = new DisplaySlot();
  private last = 0;
  constructor(private readonly label: string, private readonly total: number) {
    this.slot.show(progressBundle(label, 0, total));
  }
  update(done: number, status = ''): void {
    const now = Date.now();
    if (now - this.last < MIN_INTERVAL_MS && done < this.total) return;
    // An update is droppable: never risk a second send in one event-loop turn
    // (see mime.ts); the next update carries newer numbers anyway.
    if (sentSinceLastYield()) return;
    this.last = now;
    this.slot.show(progressBundle(this.label, done, this.total, status));
  }
  finish(status = 'done'): void {
    this.slot.show(progressBundle(this.label, this.total, this.total, status));
  }
}

class TerminalProgress implements Progress {
  private readonly bar: cliProgress.SingleBar;
  constructor(label: string, total: number) {
    this.bar = new cliProgress.SingleBar({
      format: `${label} [{bar}] {value}/{total} {status}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    }, cliProgress.Presets.shades_classic);
    this.bar.start(total, 0, {status: ''});
  }
  update(done: number, status = ''): void {
    this.bar.update(done, {status});
  }
  finish(status = 'done'): void {
    this.bar.update(this.bar.getTotal(), {status});
    this.bar.stop();
  }
}

/** Not a TTY (CI logs, pipes): a line at each quarter. */
class LogProgress implements Progress {
  private nextQuarter = 1;
  constructor(private readonly label: string, private readonly total: number) {}
  update(done: number, status = ''): void {
    while (this.total > 0 && done >= (this.nextQuarter * this.total) / 4 && this.nextQuarter < 4) {
      process.stderr.write(`${this.label}: ${done}/${this.total} ${status}\n`);
      this.nextQuarter++;
    }
  }
  finish(status = 'done'): void {
    process.stderr.write(`${this.label}: ${this.total}/${this.total} ${status}\n`);
  }
}

class SilentProgress implements Progress {
  update(): void {}
  finish(): void {}
}

export function createProgress(options: ProgressOptions): Progress {
  const {total, label} = options;
  if (!Number.isInteger(total) || total < 0) {
    throw new Error(`progress total must be a whole number >= 0, got ${total}`);
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
