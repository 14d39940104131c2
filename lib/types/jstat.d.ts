/** The part of jstat (npm, no types of its own) the lab uses: Student's t distribution. */
declare module 'jstat' {
  export const jStat: {
    studentt: {
      /** P(T <= x) for `dof` degrees of freedom. */
      cdf(x: number, dof: number): number;
      /** The x with P(T <= x) = p. */
      inv(p: number, dof: number): number;
    };
  };
}
