import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { YamlSource } from '../../scenario/index.js';
import { InteropErrorCode, type InteropIssue } from '../errors.js';

/** One of E2Clab's files, parsed with positions, and a way to locate issues in it. */
export interface E2clabFile {
  src: YamlSource;
  data: unknown;
  /** A located issue (error or warning) about the field at `at` of this file. */
  issue(
    code: InteropErrorCode,
    at: readonly PropertyKey[],
    message: string,
    hint?: string,
    key?: boolean,
  ): InteropIssue;
}

/**
 * Reads `<dir>/<name>` through the scenario layer's file rules (a regular file within the YAML size
 * limit). Absent and optional → undefined; absent and required, unreadable or not YAML → issues.
 */
export function readE2clabFile(
  dir: string,
  name: string,
  required: boolean,
  issues: InteropIssue[],
): E2clabFile | undefined {
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    if (required)
      issues.push({
        code: InteropErrorCode.FILE,
        file,
        line: 0,
        column: 0,
        path: '',
        message: `${name} not found in ${dir} (an E2Clab scenario folder holds layers_services.yaml, network.yaml and optionally workflow.yaml)`,
      });
    return undefined;
  }
  if (statSync(file).isDirectory()) {
    issues.push({ code: InteropErrorCode.FILE, file, line: 0, column: 0, path: '', message: 'is a folder' });
    return undefined;
  }
  const src = YamlSource.read(file);
  if (!(src instanceof YamlSource)) {
    issues.push({ ...src, code: InteropErrorCode.FILE });
    return undefined;
  }
  const syntax = src.syntaxIssues();
  if (syntax.length > 0) {
    issues.push(...syntax.map((i) => ({ ...i, code: InteropErrorCode.SYNTAX })));
    return undefined;
  }
  return {
    src,
    data: src.toJS(),
    issue: (code, at, message, hint, key = false) => ({
      ...src.issue('E2C_ERR_SCENARIO_INVALID_VALUE', at, message, hint, key),
      code,
    }),
  };
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
