/** A mistake in what the user asked for: printed without a stack, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Something the lab needs is missing: printed with its fix, exit 1. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}
