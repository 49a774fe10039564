import type { ScenarioIssue } from '../scenario/index.js';

/** `file:line:col  path  message  (hint)` lines, sorted by file and position, with a count. */
export function formatIssues(issues: readonly ScenarioIssue[]): string {
  const sorted = [...issues].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
  const lines = sorted.map((i) => {
    const where = i.line > 0 ? `${i.file}:${i.line}:${i.column}` : i.file;
    const field = i.path ? ` ${i.path}:` : '';
    const hint = i.hint ? ` (${i.hint})` : '';
    return `  ${where}${field} ${i.message}${hint}  [${i.code}]`;
  });
  const n = issues.length;
  return [`error: ${n} problem${n === 1 ? '' : 's'} in the scenario:`, ...lines].join('\n');
}
