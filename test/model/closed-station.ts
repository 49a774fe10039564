/**
 * A scenario for tests of closed-loop users: `quantity` hosts of `users` users each, thinking `think`
 * between requests to an infinite server (a delay of `demand`, 1,000 threads), with load events at the
 * given times (factor by time). Each cycle of a user takes think + demand.
 */
export function closedStation(o: {
  name: string;
  seed: number;
  run: string;
  quantity: number;
  users: number;
  think: string;
  demand: string;
  loads: readonly (readonly [number, number])[];
}): string {
  return `
name: ${o.name}
seed: ${o.seed}
run: ${o.run}
layers:
  - name: system
    services:
      - name: station
        app:
          pools: { server: 1000 }
          stages:
            - { name: serve, pool: server, resource: delay, demand: ${o.demand} }
  - name: outside
    services:
      - name: users
        quantity: ${o.quantity}
        workload: { kind: closed, target: system.station, users: ${o.users}, thinkTime: ${o.think} }
events:
${o.loads.map(([at, factor]) => `  - { at: ${at}, action: load, service: outside.users, factor: ${factor} }`).join('\n')}
`;
}
