import type { LiveTarget } from '../target.js';
import type { Testbed } from '../testbed/schema.js';
import { LocalTarget } from './local.js';
import { SshTarget } from './ssh.js';

export { LocalTarget, SshTarget };

/** The provider a testbed file names. `stateDir`: the run's local folder (created and journaled by the provider). */
export function createTarget(testbed: Testbed, stateDir: string): LiveTarget {
  if (testbed.provider === 'local') {
    const needsDocker = testbed.docker.enabled;
    return new LocalTarget(stateDir, { docker: needsDocker, storageDriver: testbed.docker.storageDriver });
  }
  return new SshTarget(testbed, stateDir);
}
