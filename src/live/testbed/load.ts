import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { LiveError, LiveErrorCode } from '../errors.js';
import { TestbedSchema, type Testbed } from './schema.js';

/** A validated testbed with the folder its relative paths start from. */
export interface LoadedTestbed {
  testbed: Testbed;
  file: string;
  dir: string;
}

/**
 * Reads and validates a testbed file (YAML).
 * @throws LiveError `E2C_ERR_LIVE_TESTBED` with every problem, by field path
 */
export function loadTestbed(file: string, text?: string): LoadedTestbed {
  let raw: unknown;
  try {
    raw = parse(text ?? readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LiveError(LiveErrorCode.TESTBED, `${file}: ${(e as Error).message}`, { file });
  }
  return parseTestbed(raw, file);
}

export function parseTestbed(raw: unknown, file = '<testbed>'): LoadedTestbed {
  const r = TestbedSchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new LiveError(
      LiveErrorCode.TESTBED,
      `${file}: ${problems.length} problem(s) in the testbed:\n${problems.join('\n')}`,
      { file, issues: r.error.issues },
    );
  }
  const tb = r.data;
  const names = new Set<string>();
  const problems: string[] = [];
  for (const h of tb.hosts) {
    if (names.has(h.name)) problems.push(`hosts: "${h.name}" is listed twice`);
    names.add(h.name);
  }
  if (tb.provider === 'ssh') {
    for (const h of tb.hosts) {
      if (!h.jumpOnly && !h.address)
        problems.push(`hosts.${h.name}.address: required (other hosts reach it there)`);
      if (h.ssh.jump && !names.has(h.ssh.jump))
        problems.push(`hosts.${h.name}.ssh.jump: no host "${h.ssh.jump}" in this file`);
      if (h.ssh.jump === h.name)
        problems.push(`hosts.${h.name}.ssh.jump: a host cannot be its own jump host`);
    }
  }
  for (const [sel, hosts] of Object.entries(tb.services)) {
    for (const h of hosts) if (!names.has(h)) problems.push(`services.${sel}: no host "${h}" in this file`);
  }
  if (problems.length > 0)
    throw new LiveError(
      LiveErrorCode.TESTBED,
      `${file}: ${problems.length} problem(s) in the testbed:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      { file, problems },
    );
  return { testbed: tb, file: path.resolve(file), dir: path.dirname(path.resolve(file)) };
}

/** The testbed as it may be written to a run folder or a log: passwords removed, key files named but never read. */
export function redactTestbed(tb: Testbed): unknown {
  const copy = JSON.parse(JSON.stringify(tb)) as { hosts: { ssh?: { password?: string } }[] };
  for (const h of copy.hosts) if (h.ssh?.password !== undefined) h.ssh.password = '<redacted>';
  return copy;
}
