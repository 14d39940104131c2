/**
 * The check behind "no sentence claims a direction the interval does not
 * support": a finding whose verdict is not a decided difference may not
 * say which way things went, nor agree or disagree with its paper.
 */
import {strict as assert} from 'node:assert';

import {Finding} from '../../lib/results/findings';

/** Words that state a direction or a paper's being borne out. */
const DIRECTION = /\b(better|worse|helps?|helped|hurts?|wins?|loses|beats?|faster|slower|climbs|falls|mattered|cost accuracy|lost nothing|as the paper says|as in the paper|against the paper|as Rethinking found)\b/i;

/** The text with the paper's own claims, quoted in parentheses ("(the paper: thinner wins by 3 %)"), left out. */
const withoutQuotedClaims = (text: string) => text.replace(/\((the )?paper[^)]*\)/gi, '');

export function assertNoDirectionWithoutDecision(findings: readonly Finding[]): void {
  for (const f of findings) {
    if (f.verdict == null || f.verdict.decision === 'differs') continue;
    assert.doesNotMatch(withoutQuotedClaims(f.text), DIRECTION, `${f.id} (${f.verdict.decision}) states a direction: ${f.text}`);
    if (f.verdict.decision !== 'equivalent') assert.equal(f.agrees, null, `${f.id} (${f.verdict.decision}) agrees or disagrees`);
  }
}
