import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DriverControl } from '../../src/live/app/driver-control.js';
import { imageServer } from '../../src/live/app/image-server.js';

// The controller's channel into a driver (an autoscaled target's counts): POST /scale on its image server.

describe('a driver’s POST /scale', () => {
  it('keeps a count sent before the balance exists, applies later ones at once, refuses a bad body', async () => {
    const control = new DriverControl();
    const server = await imageServer(0, '127.0.0.1', undefined, control);
    const { port } = server.address() as AddressInfo;
    const post = (body: string) =>
      fetch(`http://127.0.0.1:${port}/scale`, { method: 'POST', body }).then(async (r) => ({
        status: r.status,
        body: await r.text(),
      }));
    try {
      expect(await post('{"instances": 2}')).toEqual({ status: 200, body: '{"instances":2}' });
      const applied: number[] = [];
      control.attach((k) => applied.push(k));
      expect(applied).toEqual([2]);
      expect((await post('{"instances": 1}')).status).toBe(200);
      expect(applied).toEqual([2, 1]);
      for (const bad of ['{"instances": -1}', '{"instances": 1.5}', 'nope', '{}'])
        expect((await post(bad)).status).toBe(400);
      expect(applied).toEqual([2, 1]);
      expect(control.received.map((r) => r.instances)).toEqual([2, 1]);
      // The images are still served beside it.
      const img = await fetch(`http://127.0.0.1:${port}/img/1/0?bytes=10`);
      expect(img.status).toBe(200);
      expect((await img.arrayBuffer()).byteLength).toBe(10);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
