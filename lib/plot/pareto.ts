/** A point of an accuracy-versus-cost plot. */
export interface CostPoint {
  label: string;
  /** Multiply-accumulates for one image. */
  macs: number;
  accuracy: number;
  /** Legend group, e.g. a family or an experiment. */
  group: string;
}

/**
 * The points no other point beats on both axes (fewer or equal MACs and
 * higher or equal accuracy, one strictly), sorted by MACs.
 */
export function paretoFront<P extends CostPoint>(points: readonly P[]): P[] {
  const sorted = [...points].sort((a, b) => a.macs - b.macs || b.accuracy - a.accuracy);
  const front: P[] = [];
  for (const p of sorted) {
    if (front.length === 0 || p.accuracy > front[front.length - 1].accuracy) front.push(p);
  }
  return front;
}
