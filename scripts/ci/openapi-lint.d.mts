export interface LintProblem {
  severity: 'error' | 'warn';
  rule: string;
  /** JSON pointer of the problem in the document. */
  where: string;
  message: string;
}

export const RULES: { extends: string[]; rules: Record<string, string> };

export function lintOpenApi(document: unknown): Promise<LintProblem[]>;
