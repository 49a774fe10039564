import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

// The documentation is part of the product: its relative links must lead somewhere, and the README's
// command table must name every verb and option the command line accepts (a new option without a row
// or a word in the README fails here).
const root = path.join(import.meta.dirname, '../..');

/** The Markdown files git tracks (node_modules and run folders are not tracked). */
function markdownFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' });
  return out.split('\n').filter((f) => f !== '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  // Headings, and explicit anchors (`<a id="retry"></a>`, for a place in a list), as GitHub renders both.
  return new Set([
    ...[...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)),
    ...[...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]!),
  ]);
}

/** Relative links of a Markdown file, outside code blocks and code spans. */
function relativeLinks(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** `flag` written as a whole option in `text` (`--max-memory` is not found in `--max-memory-mib`). */
function names(text: string, flag: string): boolean {
  return new RegExp(`(?<![\\w-])${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`).test(text);
}

describe('documentation', () => {
  it('every relative link of every tracked Markdown file resolves (file, and heading anchor if any)', () => {
    const files = markdownFiles();
    expect(files).toContain('README.md');
    const broken: string[] = [];
    for (const file of files) {
      const full = path.join(root, file);
      for (const link of relativeLinks(readFileSync(full, 'utf8'))) {
        const [target, hash] = link.split('#') as [string, string | undefined];
        const dest = target === '' ? full : path.resolve(path.dirname(full), target);
        if (!existsSync(dest)) {
          broken.push(`${file}: ${link} (no such file)`);
          continue;
        }
        if (hash && dest.endsWith('.md') && statSync(dest).isFile() && !anchorsOf(dest).has(hash)) {
          broken.push(`${file}: ${link} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("the README's command table has a row for every verb, naming each of its long options (or the text below the table does)", async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = /^## Commands$([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
    const lines = section.split('\n');
    const prose = lines.filter((l) => !l.startsWith('|')).join('\n');
    expect(prose).toContain('--allow-dir');
    const missing: string[] = [];
    for (const verb of (await buildProgram()).commands) {
      if (verb.name() === 'help') continue;
      const rows = lines
        .filter(
          (l) => l.startsWith(`| \`e2ctwin ${verb.name()} `) || l.startsWith(`| \`e2ctwin ${verb.name()}\``),
        )
        .join('\n');
      if (rows === '') {
        missing.push(`no row for e2ctwin ${verb.name()}`);
        continue;
      }
      const check = (cmd: Command, label: string) => {
        for (const o of cmd.options) {
          if (
            o.long &&
            o.long !== '--help' &&
            ![o.long, o.short].some((f) => f !== undefined && (names(rows, f) || names(prose, f)))
          )
            missing.push(`${label} ${o.long}`);
        }
        for (const sub of cmd.commands) {
          if (sub.name() === 'help') continue;
          if (!rows.includes(sub.name())) missing.push(`${label} ${sub.name()}`);
          check(sub, `${label} ${sub.name()}`);
        }
      };
      check(verb, verb.name());
    }
    expect(missing).toEqual([]);
  });
});
