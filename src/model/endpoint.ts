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

export function endpointName(service: ResolvedService, index: number): string {
  return `${service.id}#${index}`;
}
