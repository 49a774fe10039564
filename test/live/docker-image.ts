import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import path from 'node:path';

/** A root filesystem tarball with a static busybox and a web root: the image the Docker path imports. */
export function busyboxRootfs(dir: string): string {
  const root = path.join(dir, 'rootfs');
  for (const d of ['bin', 'www', 'proc', 'sys', 'dev', 'tmp', 'etc'])
    mkdirSync(path.join(root, d), { recursive: true });
  copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
  chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  for (const a of ['sh', 'httpd', 'ls', 'cat', 'echo', 'sleep', 'hostname'])
    symlinkSync('busybox', path.join(root, 'bin', a));
  writeFileSync(path.join(root, 'www', 'index.html'), '<h1>fog gateway in a container</h1>\n');
  const tar = path.join(dir, 'rootfs.tar');
  execFileSync('tar', ['-C', root, '-cf', tar, '.']);
  return tar;
}
