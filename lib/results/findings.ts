/**
 * A chapter's findings as data: what a paper claims, what the lab measured,
 * and the verdict against run-to-run noise. Chapters build them from their
 * runs (lib/chapters), tests check them, and the notebook shows them.
 */
import {Verdict} from './stats';

export interface Finding {
  /** Stable id within the chapter, e.g. 'width'. */
  id: string;
  /** Short topic, e.g. 'Width multiplier'. */
  topic: string;
  /** What the source claims, with where it says so. */
  claim: string;
  /** The measured values the finding rests on, by name. */
  measured: Record<string, number>;
  /** The comparison's verdict against noise; absent for findings that are not a comparison. */
  verdict?: Verdict;
  /** Whether the lab sees what the source claims: true, false, or null when it cannot say. */
  agrees: boolean | null;
  /** The finding in prose, every number from `measured` (Markdown). */
  text: string;
}
