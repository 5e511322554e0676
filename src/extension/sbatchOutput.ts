/** The job id in what `sbatch` printed: "Submitted batch job 123", or "123" / "123;cluster" with --parsable. */
export function parseJobId(sbatchOutput: string): string | undefined {
  return /Submitted batch job (\d+)/.exec(sbatchOutput)?.[1] ?? /^(\d+)(;\S+)?\s*$/m.exec(sbatchOutput)?.[1];
}
