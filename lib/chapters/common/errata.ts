/**
 * A source's slip, named where the chapter computes the value it got wrong:
 * the claim restated in the lab's words, which source made it, and what the
 * built layers or networks give instead.
 */
export interface Erratum {
  /** The source, named by what it is ("the survey of lightweight CNNs"). */
  source: string;
  /** What it says, restated. */
  claim: string;
  /** What the lab computes, with the numbers. */
  computed: string;
}

/** "**Erratum** (source): claim. Computed: ..." as one Markdown paragraph. */
export function erratumText(e: Erratum): string {
  return `**Erratum** (${e.source}): ${e.claim}. Computed from the built layers: ${e.computed}.`;
}
