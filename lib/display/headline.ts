/**
 * Headline results: the few numbers a chapter's report leads with. A notebook
 * shows them as a bundle with a lab-specific MIME type; `cnnlab report`
 * reads that MIME type back from the executed notebook to write
 * reports/index.html, so the index never repeats numbers by hand.
 */
import {MimeBundle, display, escapeHtml} from './mime';

export const HEADLINE_MIME = 'application/vnd.cnnlab.headline+json';

export interface Headline {
  /** Short label, e.g. "MobileNet 0.5 vs 1.0". */
  label: string;
  /** The finding in one sentence, with its numbers. */
  text: string;
}

export function headlineBundle(headline: Headline): MimeBundle {
  return {
    [HEADLINE_MIME]: headline,
    'text/html': `<div class="cnnlab-headline" style="border-left:4px solid #4c78a8;padding:4px 10px;margin:6px 0">` +
        `<b>${escapeHtml(headline.label)}</b>: ${escapeHtml(headline.text)}</div>`,
    'text/plain': `${headline.label}: ${headline.text}`,
  };
}

export function showHeadline(headline: Headline): void {
  display(headlineBundle(headline));
}
