import type { ResolvedService } from '../scenario/index.js';

/** One host instance of a service, as seen by the network: any service, with or without an app. */
export interface Endpoint {
  /** Dense id over all hosts of the scenario (for route caches). */
  readonly uid: number;
  readonly service: ResolvedService;
  readonly index: number;
  /** `<layer>.<service>#<index>` */
  readonly name: string;
}

/**
 * A host instance of a service without an app (a device running only its workload): its name is made when
 * asked (a scenario of 100,000 devices keeps no string for each).
 */
export class Device implements Endpoint {
  constructor(
    readonly uid: number,
    readonly service: ResolvedService,
    readonly index: number,
  ) {}

  get name(): string {
    return endpointName(this.service, this.index);
  }
}

export function endpointName(service: ResolvedService, index: number): string {
  return `${service.id}#${index}`;
}
