/**
 * MIME bundles and how they reach the Jupyter front end.
 *
 * Every helper in lib/display returns a plain bundle (testable without a
 * kernel); `display` hands it to tslab. tslab's public `display.raw` sends one
 * MIME type per message, so a bundle goes through the kernel's own writer,
 * `lastWriteDisplayData`, which tslab swaps per execute request (read it at
 * call time, never cache it).
 */
import * as crypto from 'node:crypto';

/** MIME type -> content (strings, or objects for JSON MIME types). */
export type MimeBundle = Record<string, unknown>;

interface DisplayMessage {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: {display_id?: string};
}
type WriteDisplayData = (message: DisplayMessage, update: boolean) => void;

/** The running tslab kernel's display writer, or null outside a kernel. */
export function kernelDisplayWriter(): WriteDisplayData | null {
  try {
    // Resolved at run time: lib/ must load in plain Node and tests too.
    const jupyter = require('tslab/dist/jupyter') as {lastWriteDisplayData: WriteDisplayData | null};
    return jupyter.lastWriteDisplayData ?? null;
  } catch {
    return null;
  }
}

/**
 * tslab sends each display message with zeromq.js without awaiting it, and
 * zeromq.js refuses a second send while one is still pending ("Socket is
 * busy writing", EBUSY), which kills the kernel. Long synchronous work (a
 * training step) keeps the event loop from finishing a send, so the lab
 * never sends twice in one turn of the event loop: `sentThisTurn` says a send
 * happened, `yieldToEventLoop` lets it complete.
 */
let sentThisTurn = false;
export function sentSinceLastYield(): boolean {
  return sentThisTurn;
}
function markSent(): void {
  if (sentThisTurn) return;
  sentThisTurn = true;
  setImmediate(() => { sentThisTurn = false; });
}

/** Lets pending I/O (a display message being sent) complete. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise(resolve => setImmediate(resolve));
}

/** True inside a tslab kernel executing a cell. */
export function inNotebook(): boolean {
  return kernelDisplayWriter() != null;
}

export interface DisplayOptions {
  /** Identifies a display that later calls may replace in place. */
  displayId?: string;
  /** Replace the display `displayId` instead of adding a new one. */
  update?: boolean;
}

/**
 * Shows a bundle in the notebook. Outside a kernel (a script, the CLI) it
 * prints the bundle's text/plain so that nothing is silently dropped.
 */
export function display(bundle: MimeBundle, options: DisplayOptions = {}): void {
  const write = kernelDisplayWriter();
  if (write == null) {
    const text = bundle['text/plain'];
    console.log(typeof text === 'string' ? text : `<display: ${Object.keys(bundle).join(', ')}>`);
    return;
  }
  write({
    data: bundle,
    metadata: {},
    transient: options.displayId ? {display_id: options.displayId} : {},
  }, options.update === true);
  markSent();
}

/** A display area that each `show` replaces (progress bars, live tables). */
export class DisplaySlot {
  readonly id = `cnnlab-${crypto.randomBytes(8).toString('hex')}`;
  private shown = false;

  show(bundle: MimeBundle): void {
    display(bundle, {displayId: this.id, update: this.shown});
    this.shown = true;
  }
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;'})[c]!);
}
