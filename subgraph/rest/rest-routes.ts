import { exportRoutes } from '../exports/export.routes';
import { fhirRoutes } from '../fhir/adverse-event.routes';
import type { RestRoute } from './rest-route';

/** Every REST route, for whichever HTTP layer mounts them. */
export const restRoutes: readonly RestRoute[] = [...fhirRoutes, ...exportRoutes];
