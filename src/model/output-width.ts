/**
 * The reason when the model's output row is not `output.size` wide: checked at load when
 * the model says its width (`signatureProblems`), else at the first run, in the browser
 * and in Node alike. Its own module so the eager ML chunk need not carry the signature checks.
 *
 * @example
 * widthProblem(101, 100); // 'output: the model gives 101 columns, output.size says 100'
 */
export function widthProblem(columns: number, size: number): string | undefined {
  return columns === size ? undefined : `output: the model gives ${columns} columns, output.size says ${size}`;
}
