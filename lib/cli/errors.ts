/** A mistake in what the user asked for: printed without a stack, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Something the lab needs is missing: printed with its fix, exit 1. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
}

/** Runs a parse of user input, turning its error into a UsageError (exit 2, no stack). */
export function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
