import { reporterVisibilityOf, visibleReporterId, type ReporterVisibility } from '../near-misses/reporter-identity';
import { currentDetails } from '../categories/current-details';
import { notFound } from '../common/errors';
import { fieldProtection, protectDetails } from '../near-misses/field-protection';
import { encodeCursor } from '../near-misses/near-miss.repository';
import type { NearMiss } from '../near-misses/near-miss.type';
import type { RestCall, RestResponse, RestRoute } from '../rest/rest-route';
import type { RequestContext } from '../server/context';
import { nearMissStandardCodes } from '../standards/near-miss-codes';
import { toAdverseEvent, type FhirJson } from './adverse-event';
import { parseAdverseEventSearch } from './search-parameters';

/*
 * GET /fhir/AdverseEvent/{id} and GET /fhir/AdverseEvent?date=..&category=..&_count=..
 * Reads go through the request's loaders, so the caller's read scope
 * (tenant, services, own reports for reporters, restricted categories) and
 * field protection are the GraphQL ones.
 */

const fhirJson = (status: number, body: FhirJson): RestResponse => ({
  status,
  headers: { 'content-type': 'application/fhir+json; charset=utf-8' },
  body: JSON.stringify(body),
});

/** The reporter's id when the caller may see who reported, else null (anonymous, or confidential to them). */
function reporterOf(visibility: ReporterVisibility, nearMiss: NearMiss): string | null {
  const reporter = visibleReporterId(visibility, nearMiss);
  return reporter.identified ? reporter.id : null;
}

async function adverseEventsOf(context: RequestContext, nearMisses: NearMiss[]): Promise<FhirJson[]> {
  const protection = fieldProtection(context);
  const { registry, logger } = context.services;
  const reporters = reporterVisibilityOf(context.principal, registry);
  const actions = await context.actions.byNearMiss.loadMany(nearMisses.map((nearMiss) => nearMiss.id));
  return nearMisses.map((nearMiss, index) => {
    const registered = registry.get(nearMiss.categoryKey);
    const loaded = actions[index];
    if (loaded instanceof Error) throw loaded;
    return toAdverseEvent({
      nearMiss,
      categoryLabel: registered?.definition.label ?? nearMiss.categoryKey,
      details: protectDetails(
        protection,
        currentDetails(registered, nearMiss.details, nearMiss.categoryVersion, logger),
        registered?.fieldsSchema,
      ),
      codes: nearMissStandardCodes(registry, nearMiss),
      actions: loaded,
      protection,
      reporterId: reporterOf(reporters, nearMiss),
    });
  });
}

export async function readAdverseEvent({ context, params: [id] }: RestCall): Promise<RestResponse> {
  context.loaders.readScope();
  const nearMiss = await context.loaders.byId.load(id);
  if (!nearMiss) throw notFound(`AdverseEvent ${id} does not exist or is not yours to read`);
  const [resource] = await adverseEventsOf(context, [nearMiss]);
  return fhirJson(200, resource);
}

/** A searchset Bundle, newest occurrence first, with a `next` link carrying a keyset cursor. */
export async function searchAdverseEvents({ context, url, baseUrl }: RestCall): Promise<RestResponse> {
  const scope = context.loaders.readScope();
  const search = parseAdverseEventSearch(url.searchParams);
  const categories = search.fhirCategories
    ? context.services.registry
        .list()
        .filter((registered) =>
          search.fhirCategories!.includes(registered.definition.standards.fhirAdverseEventCategory),
        )
        .map((registered) => registered.definition.key)
    : undefined;
  const page = await context.loaders.pages.load({
    scope,
    filter: { occurredFrom: search.occurredFrom, occurredTo: search.occurredTo, categories },
    first: search.count,
    after: search.cursor,
  });
  const resources = await adverseEventsOf(context, page.nodes);
  const linkTo = (cursor: string | undefined) => {
    const link = new URL(`${baseUrl}${url.pathname}${url.search}`);
    if (cursor) link.searchParams.set('_cursor', cursor);
    else link.searchParams.delete('_cursor');
    return link.toString();
  };
  const last = page.nodes.at(-1);
  return fhirJson(200, {
    resourceType: 'Bundle',
    type: 'searchset',
    timestamp: new Date().toISOString(),
    link: [
      { relation: 'self', url: linkTo(search.cursor) },
      ...(page.hasNextPage && last ? [{ relation: 'next', url: linkTo(encodeCursor(last)) }] : []),
    ],
    // FHIR JSON has no empty arrays: an empty page has no entry at all.
    ...(resources.length
      ? {
          entry: resources.map((resource) => ({
            fullUrl: `${baseUrl}/fhir/AdverseEvent/${String(resource.id)}`,
            resource,
            search: { mode: 'match' },
          })),
        }
      : {}),
  });
}

export const fhirRoutes: RestRoute[] = [
  { pattern: /^\/fhir\/AdverseEvent\/([^/]+)$/, errors: 'fhir', handle: readAdverseEvent },
  { pattern: /^\/fhir\/AdverseEvent$/, errors: 'fhir', handle: searchAdverseEvents },
];
