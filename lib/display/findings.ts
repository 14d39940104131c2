/**
 * Findings in a notebook: a Markdown list a reader reads, and the findings
 * themselves as JSON under a lab MIME type, so tests and tools read the
 * executed notebook's data instead of parsing its prose.
 */
import type {Finding} from '../results/findings';
import {MimeBundle} from './mime';

export const FINDINGS_MIME = 'application/vnd.cnnlab.findings+json';

export function findingsBundle(findings: readonly Finding[]): MimeBundle {
  const markdown = findings.map(f => `- **${f.topic}:** ${f.text}`).join('\n');
  return {[FINDINGS_MIME]: findings, 'text/markdown': markdown, 'text/plain': markdown};
}
