import type { Command } from 'commander';
import { probeRtt, probeServe, probeThroughput } from '../../live/measure/probe.js';
import { probeServeWithControl } from '../../live/measure/probe-control.js';
import { intOption } from '../options.js';

// `e2ctwin probe` runs on every testbed host during a live run's network check: its own module, so
// that it loads only the probe (not live mode, the scenario layer or the simulator).

const parseTarget = (t: string) => {
  const i = t.lastIndexOf(':');
  return { address: t.slice(0, i), port: Number(t.slice(i + 1)) };
};

/** `e2ctwin probe …`: the link checks live mode runs on the hosts. */
export function registerProbe(program: Command): void {
  const probe = program
    .command('probe')
    .description(
      'Measure a network path (used by live mode on the hosts): serve, round-trip times, throughput. Prints JSON.',
    );
  probe
    .command('serve')
    .description('Answer probes on a TCP port until stopped.')
    .option('-p, --port <n>', 'TCP port', intOption('--port', 1), 47800)
    .option('--host <address>', 'address to listen on (live runs pass 0.0.0.0 inside the testbed hosts)')
    .option(
      '--control',
      "also run the probes asked on loopback control connections (a live run's network check)",
    )
    .action(async (o: { port: number; host?: string; control?: boolean }) => {
      // Started by live runs inside testbed hosts; by hand it stays on loopback.
      const host = o.host ?? '127.0.0.1';
      await (o.control ? probeServeWithControl(o.port, host) : probeServe(o.port, host));
      process.stderr.write(`probe listening on ${o.port}\n`);
    });
  probe
    .command('rtt')
    .description('Round-trip times of one-byte messages to a probe server.')
    .argument('<address:port>')
    .option('-c, --count <n>', 'samples', intOption('--count', 1), 20)
    .action(async (t: string, o: { count: number }) => {
      const { address, port } = parseTarget(t);
      process.stdout.write(`${JSON.stringify(await probeRtt(address, port, o.count))}\n`);
    });
  probe
    .command('throughput')
    .description('Bulk TCP transfer to a probe server; the receiver reports the rate.')
    .argument('<address:port>')
    .option('-s, --seconds <s>', 'duration', '3')
    .action(async (t: string, o: { seconds: string }) => {
      const { address, port } = parseTarget(t);
      process.stdout.write(`${JSON.stringify(await probeThroughput(address, port, Number(o.seconds)))}\n`);
    });
}
