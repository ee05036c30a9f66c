import { exportRoutes } from '../exports/export.routes';
import { fhirRoutes } from '../fhir/adverse-event.routes';
import type { RestRoute } from './rest-route';

/** Every REST route, for whichever HTTP layer mounts them. */
export const restRoutes: readonly RestRoute[] = [...fhirRoutes, ...exportRoutes];

/** The path prefixes under which the HTTP layer hands requests to `restRoutes`. */
export const restPathPrefixes = ['/fhir', '/exports'] as const;
