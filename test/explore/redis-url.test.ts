import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExploreErrorCode } from '../../src/explore/errors.js';
import { parseRedisUrl, redisOptions } from '../../src/explore/redis-url.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'e2ctwin-redis-url-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const caFile = path.join(dir, 'ca.pem');
writeFileSync(caFile, pem);

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return [(e as { code?: string }).code, (e as Error).message];
  }
  return undefined;
};

describe('--backend rediss:// and its secrets', () => {
  it('trusts the CA of E2C_REDIS_CA for rediss://, and gives SNI a host name only', () => {
    const t = parseRedisUrl('rediss://127.0.0.1:6380/2', { E2C_REDIS_CA: caFile, E2C_REDIS_PASSWORD: 'pw' });
    expect(t).toMatchObject({ host: '127.0.0.1', port: 6380, db: 2, tls: true, ca: pem, password: 'pw' });
    expect(t.display).toBe('rediss://127.0.0.1:6380/2');
    expect(redisOptions(t).tls).toEqual({ ca: pem });
    const named = parseRedisUrl('rediss://queue.internal', { E2C_REDIS_CA: caFile });
    expect(redisOptions(named).tls).toEqual({ servername: 'queue.internal', ca: pem });
    // Without the variable, Node.js's own CAs (and NODE_EXTRA_CA_CERTS) decide.
    expect(redisOptions(parseRedisUrl('rediss://queue.internal', {})).tls).toEqual({
      servername: 'queue.internal',
    });
  });

  it('ignores E2C_REDIS_CA for plain redis://', () => {
    const t = parseRedisUrl('redis://127.0.0.1', { E2C_REDIS_CA: path.join(dir, 'absent.pem') });
    expect(t.ca).toBeUndefined();
    expect('tls' in redisOptions(t)).toBe(false);
  });

  it('refuses an unreadable or non-PEM CA file, and a password in the URL, as bad options', () => {
    const absent = code(() => parseRedisUrl('rediss://h', { E2C_REDIS_CA: path.join(dir, 'absent.pem') }));
    expect(absent?.[0]).toBe(ExploreErrorCode.BAD_OPTION);
    expect(absent?.[1]).toMatch(/cannot read the CA file E2C_REDIS_CA=/);
    const notPem = path.join(dir, 'key.txt');
    writeFileSync(notPem, 'not a certificate');
    expect(code(() => parseRedisUrl('rediss://h', { E2C_REDIS_CA: notPem }))?.[1]).toMatch(
      /holds no PEM certificate/,
    );
    const inUrl = code(() => parseRedisUrl('rediss://:pw@h:6380', {}));
    expect(inUrl?.[0]).toBe(ExploreErrorCode.BAD_OPTION);
    expect(inUrl?.[1]).toMatch(/password in the URL is refused; set E2C_REDIS_PASSWORD/);
    // Errors land in logs: the password is masked there too.
    expect(inUrl?.[1]).toContain('"rediss://:***@h:6380"');
    expect(inUrl?.[1]).not.toContain('pw@');
  });
});
