import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, runCliHere } from '../support/cli.js';

// The plan is data: the groupings and phases can be checked without any host (no root needed).
describe('live.dependsOn groupings and workflow phases in the plan (--dry-run --json)', () => {
  let r: CliResult;
  let plan: any; // the plan as printed (JSON), read field by field below
  let address: (host: string) => string;
  // dependsOn "*": every instance of every service, in plan order.
  let targets: string[];
  beforeAll(async () => {
    r = await runCliHere([
      'live',
      'test/live/fixtures/workflow-phases.yaml',
      '--testbed',
      'test/live/fixtures/local-ci.yaml',
      '--repeat',
      '2',
      '--dry-run',
      '--json',
    ]);
    plan = JSON.parse(r.stdout);
    address = (host) => plan.hosts.find((h: { name: string }) => h.name === host).address;
    targets = (plan.instances as { host: string }[]).map((i) => address(i.host));
  });

  it('round_robin gives instance i the target i mod n; asarray every address; aggregate target k', () => {
    expect(r.status, r.stderr).toBe(0);
    const users = plan.processes.filter((p: { service: string }) => p.service === 'edge.users');
    expect(users).toHaveLength(2);
    const gateway = plan.instances.find((i: { service: string }) => i.service === 'fog.gateway');
    for (const p of users) {
      const inst = plan.instances.find((i: { name: string }) => i.name === p.instances[0]);
      const [, , , , repeat, rr, all, each2] = p.phases.launch[0];
      expect(repeat).toBe('{{ current_repeat }}'); // filled at each repetition
      expect(rr).toBe(targets[inst.index % targets.length]);
      expect(all).toBe(targets.join(','));
      expect(each2).toBe(`http://${address(gateway.host)}:8081`);
    }
    // The two edge instances get different round-robin targets.
    expect(new Set(users.map((p: { phases: { launch: string[][] } }) => p.phases.launch[0]![5])).size).toBe(
      2,
    );
  });

  it('phases are argv lists (no shell text built from values), finalize names the files to fetch', () => {
    const p = plan.processes.find((x: { service: string }) => x.service === 'edge.users');
    expect(p.phases.prepare).toEqual([['sh', '-c', 'echo prepared >> prepare.log']]);
    expect(p.phases.finalize.files).toEqual(['launch.log', 'prepare.log']);
    // The filled addresses are separate arguments, never spliced into the script text.
    expect(p.phases.launch[0][2]).toBe('echo "launch $1 rr=$2 all=$3 each2=$4" >> launch.log');
  });

  it('a dependsOn selector matching nothing is a plan error naming the nearest service', async () => {
    const bad = await runCliHere([
      'live',
      'test/live/fixtures/workflow-phases.yaml',
      '--testbed',
      'test/live/fixtures/local-ci.yaml',
      '--set',
      'edge.users.live.dependsOn=[{selector: "cloud.engin", prefix: e}]',
      '--dry-run',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('dependsOn cloud.engin');
    expect(bad.stderr).toContain('nearest: "cloud.engine"');
  });
});
