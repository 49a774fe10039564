import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { onLines } from '../../src/live/measure/lines.js';

describe('onLines (the probe control connection framing)', () => {
  it('passes whole lines in order, across chunk boundaries, after the bytes read before; keeps an unterminated tail', () => {
    const s = new PassThrough();
    const lines: string[] = [];
    onLines(s, (l) => lines.push(l), Buffer.from('{"a":1}\n{"b"'));
    expect(lines).toEqual(['{"a":1}']);
    s.write(':2}\n\n{"c":');
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '']);
    s.write('3}');
    expect(lines).toHaveLength(3);
    s.write('\n');
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}']);
  });

  it('keeps a multi-byte character split across two chunks whole', () => {
    const s = new PassThrough();
    const lines: string[] = [];
    onLines(s, (l) => lines.push(l));
    const bytes = Buffer.from('edge → cloud\n');
    const arrow = bytes.indexOf(0xe2);
    s.write(bytes.subarray(0, arrow + 1));
    s.write(bytes.subarray(arrow + 1));
    expect(lines).toEqual(['edge → cloud']);
  });
});
