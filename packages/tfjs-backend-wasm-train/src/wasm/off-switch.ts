/**
 * A kernel route that tests and benchmarks turn off around a body, to
 * compare it with the routes it replaced in one process; the setting
 * before is restored after the body, also when it throws.
 */
export class OffSwitch {
  private off = false;

  get isOff(): boolean {
    return this.off;
  }

  async offWhile<T>(body: () => Promise<T> | T): Promise<T> {
    const before = this.off;
    this.off = true;
    try {
      return await body();
    } finally {
      this.off = before;
    }
  }
}
