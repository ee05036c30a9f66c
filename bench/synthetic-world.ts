import type { CategoryDefinition } from '../plugins/sdk';
import type { RegisteredCategory } from '../subgraph/categories/category-registry';
import { parseDetails } from '../subgraph/categories/details-conditions';
import type {
  CareSettingValue,
  PotentialHarmValue,
  PreventionReliabilityValue,
  WorkflowStageValue,
} from '../subgraph/domain/vocabulary';
import type { WorkflowContextSnapshot } from '../subgraph/near-misses/workflow-context';
import { SeededRandom } from './seeded-random';

// Synthetic but realistic near misses: services with early, late and night
// shifts; reports that peak at medication rounds and shift handovers, rise in
// winter and dip at weekends; categories, stages and contributing factors from
// the plugins; and clusters that should open risk reviews. Same seed, same world.

export interface WorldOptions {
  seed: number;
  tenants: number;
  /** Near misses across all tenants (clusters included). */
  nearMisses: number;
  /** Occurrences fall in [from, to). */
  from: Date;
  to: Date;
  tenantPrefix: string;
  servicesPerTenant?: number;
  /** Reviews a tenant should see: clusters of similar near misses per 30 days. */
  clustersPerMonth?: number;
}

export interface SyntheticNearMiss {
  id: string;
  tenantId: string;
  serviceId: string;
  category: string;
  occurredAt: Date;
  reportedAt: Date;
  reportedBy: string;
  staffInvolvedIds: string[];
  personId?: string;
  shiftId?: string;
  medicationRecordId?: string;
  visitId?: string;
  carePlanId?: string;
  setting: CareSettingValue;
  whatHappened: string;
  howDetected: string;
  whatPreventedHarm: string;
  preventionReliability: PreventionReliabilityValue;
  immediateActions: string[];
  whatMadeThisPossible?: string;
  contributingFactors: string[];
  workflowStage?: WorkflowStageValue;
  potentialHarm: PotentialHarmValue;
  details: Record<string, unknown>;
  workflowContext: WorkflowContextSnapshot;
  /** Why it was generated: background noise, a review cluster, or the seed's handover pattern. */
  origin: 'background' | 'cluster' | 'handover-pattern';
}

export interface SyntheticTenant {
  tenantId: string;
  services: string[];
  nearMisses: SyntheticNearMiss[];
}

const dayMs = 24 * 60 * 60 * 1000;
const hourMs = 60 * 60 * 1000;

const serviceNames = [
  'north',
  'south',
  'east',
  'west',
  'riverside',
  'hillview',
  'oakwood',
  'meadow',
  'harbour',
  'parkside',
  'bridge',
  'orchard',
  'willow',
  'cedar',
  'summit',
  'valley',
];
const settingsByService: CareSettingValue[] = [
  'HOME_VISIT',
  'SUPPORTED_LIVING',
  'RESIDENTIAL',
  'COMMUNITY',
  'DAY_SERVICE',
];
const categoryWeights: Record<string, number> = {
  medication: 35,
  rota: 15,
  mealtime: 10,
  transport: 10,
  escalation: 10,
  environment: 10,
  safeguarding: 10,
};
const medicines = [
  'Levodopa 100mg',
  'Insulin glargine',
  'Levetiracetam 500mg',
  'Warfarin 3mg',
  'Metformin 500mg',
  'Sertraline 50mg',
  'Amlodipine 5mg',
  'Paracetamol 1g',
];
const locations = ['Corridor by the lounge', 'Kitchen', 'Bathroom', 'Front entrance', 'Bedroom 4', 'Garden path'];
const journeys = [
  'Home to day centre',
  'Day centre to hospital clinic',
  'Home to swimming pool',
  'Supported living to college',
];
/** Hours of the day, weighted: medication rounds (08, 12, 17, 21) and handovers (07, 15, 23) are busiest. */
const hourWeights: (readonly [number, number])[] = Array.from({ length: 24 }, (_, hour) => [
  hour,
  ({ 7: 9, 8: 10, 12: 7, 15: 9, 17: 7, 21: 6, 23: 6 } as Record<number, number>)[hour] ??
    (hour >= 1 && hour <= 5 ? 1 : 3),
]);
const shifts = [
  { name: 'early', start: 7, hours: 8 },
  { name: 'late', start: 15, hours: 8 },
  { name: 'night', start: 23, hours: 8 },
];

/** A 32-bit seed from text (FNV-1a): each tenant its own stream, so ids never collide across tenants. */
export function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1)
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
  return hash;
}

/** A UUID from the seeded stream (version 4 layout). */
function uuidFrom(random: SeededRandom): string {
  const hex = Array.from({ length: 32 }, () => random.int(0, 16).toString(16));
  hex[12] = '4';
  hex[16] = ((random.int(0, 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/** Details that pass the plugin's schema: enums, flags, times and numbers drawn at random; names from small lists. */
export function syntheticDetails(
  registered: RegisteredCategory,
  random: SeededRandom,
  fixed: Record<string, unknown> = {},
): Record<string, unknown> {
  const { definition } = registered;
  const properties = (registered.fieldsSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const example = definition.details.parse(definition.example) as Record<string, unknown>;
  const draft: Record<string, unknown> = { ...example };
  for (const [name, schema] of Object.entries(properties)) {
    if (Array.isArray(schema.enum)) draft[name] = random.pick(schema.enum as unknown[]);
    else if (schema.type === 'boolean') draft[name] = random.chance(0.5);
    else if (schema.type === 'integer' || schema.type === 'number') {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 0;
      const max = typeof schema.maximum === 'number' ? Math.min(schema.maximum, min + 240) : min + 240;
      draft[name] = random.int(min, max + 1);
    } else if (schema.type === 'string' && typeof schema.pattern === 'string' && schema.pattern.includes(':')) {
      draft[name] = `${String(random.int(6, 23)).padStart(2, '0')}:${random.pick(['00', '15', '30', '45'])}`;
    } else if (schema.type === 'array' && (schema.items as { enum?: unknown[] } | undefined)?.enum) {
      draft[name] = [random.pick((schema.items as { enum: unknown[] }).enum)];
    }
  }
  if ('medicationName' in draft) draft.medicationName = random.pick(medicines);
  if ('location' in draft) draft.location = random.pick(locations);
  if ('journey' in draft) draft.journey = random.pick(journeys);
  Object.assign(draft, fixed);
  const parsed = parseDetails(definition, draft);
  return parsed.success ? parsed.details : definition.details.parse({ ...definition.example, ...fixed });
}

function shiftAround(occurredAt: Date): { start: Date; end: Date; name: string } {
  const midnight = Date.UTC(occurredAt.getUTCFullYear(), occurredAt.getUTCMonth(), occurredAt.getUTCDate());
  const hour = occurredAt.getUTCHours();
  const shift = hour >= 7 && hour < 15 ? shifts[0] : hour >= 15 && hour < 23 ? shifts[1] : shifts[2];
  const startDay = shift.name === 'night' && hour < 7 ? midnight - dayMs : midnight;
  const start = new Date(startDay + shift.start * hourMs);
  return { start, end: new Date(start.getTime() + shift.hours * hourMs), name: shift.name };
}

/** Seasonality: more in winter, fewer at weekends. */
const dayWeight = (date: Date) =>
  (1 + 0.2 * Math.cos(((date.getUTCMonth() + 0.5) / 12) * 2 * Math.PI)) * ([0, 6].includes(date.getUTCDay()) ? 0.8 : 1);

interface Draw {
  tenantId: string;
  services: string[];
  random: SeededRandom;
  /** Ids come from their own stream, seeded by tenant, so equal worlds in different tenants never collide. */
  ids: SeededRandom;
  registry: Map<string, RegisteredCategory>;
  nextIndex: () => number;
}

function occurrenceTime(random: SeededRandom, from: Date, to: Date): Date {
  const span = to.getTime() - from.getTime();
  for (;;) {
    const day = new Date(from.getTime() + Math.floor(random.next() * (span / dayMs)) * dayMs);
    if (random.next() * 1.25 > dayWeight(day)) continue;
    const at = new Date(
      Date.UTC(
        day.getUTCFullYear(),
        day.getUTCMonth(),
        day.getUTCDate(),
        random.weighted(hourWeights),
        random.int(0, 60),
      ),
    );
    if (at.getTime() >= from.getTime() && at.getTime() < to.getTime()) return at;
  }
}

function nearMiss(
  draw: Draw,
  overrides: Partial<SyntheticNearMiss> & { category: string; occurredAt: Date; serviceId: string },
  fixedDetails: Record<string, unknown> = {},
): SyntheticNearMiss {
  const { random } = draw;
  const registered = draw.registry.get(overrides.category)!;
  const definition: CategoryDefinition = registered.definition;
  const index = draw.nextIndex();
  const serviceIndex = draw.services.indexOf(overrides.serviceId);
  const shift = shiftAround(overrides.occurredAt);
  const night = shift.name === 'night';
  const late = random.chance(0.08);
  const reportedAt = new Date(
    overrides.occurredAt.getTime() +
      (late ? random.int(24, 24 * 20) * hourMs : Math.round(Math.exp(random.normal() * 0.8) * 90) * 60_000),
  );
  const stage =
    overrides.workflowStage ?? (random.chance(0.9) ? random.pick(definition.workflowStages ?? ['OTHER']) : undefined);
  const factors = definition.contributingFactors ?? [];
  const details = syntheticDetails(registered, random, fixedDetails);
  const medicationRound = overrides.category === 'medication';
  return {
    id: uuidFrom(draw.ids),
    tenantId: draw.tenantId,
    reportedBy: `staff-${overrides.serviceId}-${random.int(1, 41)}`,
    staffInvolvedIds: random.chance(0.7) ? [`staff-${overrides.serviceId}-${random.int(1, 41)}`] : [],
    personId: random.chance(0.85) ? `person-${overrides.serviceId}-${random.int(1, 31)}` : undefined,
    shiftId: `shift-${overrides.serviceId}-${shift.start.toISOString().slice(0, 13)}`,
    medicationRecordId: medicationRound && random.chance(0.8) ? `mar-${index}` : undefined,
    visitId: overrides.category === 'rota' || overrides.category === 'transport' ? `visit-${index}` : undefined,
    carePlanId: random.chance(0.5) ? `plan-${overrides.serviceId}-${random.int(1, 31)}` : undefined,
    setting: settingsByService[serviceIndex % settingsByService.length],
    whatHappened: `A ${overrides.category} near miss at the ${(stage ?? 'other').toLowerCase().replace(/_/g, ' ')} stage was caught before it reached the person.`,
    howDetected: random.pick([
      'Checked the record against the pack',
      'A colleague noticed',
      'The person or family said',
      'Supervisor spot check',
      'Electronic prompt',
    ]),
    whatPreventedHarm: random.pick([
      'Stop-and-check rule',
      'Experienced carer noticed',
      'Caught by chance at the door',
      'Second check before giving',
    ]),
    preventionReliability: random.weighted([
      ['INDIVIDUAL_VIGILANCE', 55],
      ['SYSTEM_CONTROL', 30],
      ['CHANCE', 15],
    ] as const),
    immediateActions: [
      random.pick([
        'Held the dose',
        'Called the on-call nurse',
        'Moved the equipment',
        'Rescheduled the visit',
        'Briefed the next shift',
      ]),
    ],
    whatMadeThisPossible: random.chance(0.7)
      ? random.pick(['Rushed handover', 'Unclear record', 'Last-minute change', 'Short staffed'])
      : undefined,
    contributingFactors: factors.length && random.chance(0.75) ? [random.pick(factors)] : [],
    workflowStage: stage,
    potentialHarm: random.weighted([
      ['NONE', 10],
      ['LOW', 40],
      ['MODERATE', 35],
      ['SEVERE', 13],
      ['CATASTROPHIC', 2],
    ] as const),
    details,
    workflowContext: {
      shiftStartsAt: shift.start,
      shiftEndsAt: shift.end,
      scheduledAt:
        medicationRound || overrides.category === 'rota'
          ? new Date(overrides.occurredAt.getTime() - random.int(-30, 90) * 60_000)
          : undefined,
      timeCriticalMedicine: medicationRound ? details.timeCritical === true || random.chance(0.25) : undefined,
      carePlanLastReviewedAt: new Date(overrides.occurredAt.getTime() - random.int(5, 300) * dayMs),
      staffEmployment: random.weighted([
        ['PERMANENT', night ? 65 : 80],
        ['AGENCY', night ? 25 : 12],
        ['BANK', 10],
      ] as const),
    },
    origin: 'background',
    ...overrides,
    reportedAt,
  };
}

/**
 * A tenant's year: background near misses, clusters of 3-4 similar medication
 * near misses (same person and medicine, within 10 days) that should open
 * reviews, and in the first service the seed's pattern: medication timing near
 * misses at shift handover, rising over several weeks at the end of the span.
 */
export function generateTenant(
  options: WorldOptions,
  tenantIndex: number,
  registry: readonly RegisteredCategory[],
  count: number,
): SyntheticTenant {
  const tenantId = `${options.tenantPrefix}-${tenantIndex + 1}`;
  const random = new SeededRandom(seedOf(`${options.seed}:${tenantId}`));
  const span = options.to.getTime() - options.from.getTime();
  // About one service per 300 near misses a year (six a week): a large provider runs many services.
  const years = Math.max(span / (365 * dayMs), 1 / 12);
  const serviceCount = options.servicesPerTenant ?? Math.min(400, Math.max(4, Math.round(count / years / 300)));
  const services = Array.from(
    { length: serviceCount },
    (_, position) => serviceNames[position] ?? `service-${position + 1}`,
  );
  const byKey = new Map(registry.map((registered) => [registered.definition.key, registered]));
  const categories = Object.entries(categoryWeights).filter(([key]) => byKey.has(key));
  let index = 0;
  const draw: Draw = {
    tenantId,
    services,
    random,
    ids: new SeededRandom(seedOf(`${options.seed}:${tenantId}:ids`)),
    registry: byKey,
    nextIndex: () => (index += 1),
  };
  const nearMisses: SyntheticNearMiss[] = [];

  // The seed's pattern: 1, 1, 2, 2, 3, 4 handover medication timing near misses per week, over the last six weeks.
  if (byKey.has('medication') && span >= 42 * dayMs) {
    [1, 1, 2, 2, 3, 4].forEach((perWeek, week) => {
      for (let item = 0; item < perWeek; item += 1) {
        const weekStart = options.to.getTime() - (6 - week) * 7 * dayMs;
        const day = new Date(weekStart + random.int(0, 7) * dayMs);
        const handover = random.pick([7, 15, 23]);
        const occurredAt = new Date(
          Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), handover, random.int(0, 40)),
        );
        if (occurredAt.getTime() >= options.to.getTime()) continue;
        nearMisses.push(
          nearMiss(
            draw,
            {
              category: 'medication',
              serviceId: services[0],
              occurredAt,
              workflowStage: 'HANDOVER',
              contributingFactors: ['handover rushed'],
              origin: 'handover-pattern',
            },
            {
              discrepancyType: 'TIME_CRITICAL_TIMING',
              timeCritical: true,
            },
          ),
        );
      }
    });
  }

  // A cluster spans up to ten days: a shorter span has none (its start would have nowhere to fall).
  const clusters = span > 10 * dayMs ? Math.round((span / (30 * dayMs)) * (options.clustersPerMonth ?? 2)) : 0;
  for (let cluster = 0; cluster < clusters && byKey.has('medication') && nearMisses.length < count; cluster += 1) {
    const serviceId = random.pick(services);
    const start = occurrenceTime(random, options.from, new Date(options.to.getTime() - 10 * dayMs));
    const personId = `person-${serviceId}-${random.int(1, 31)}`;
    const medicationName = random.pick(medicines);
    for (let item = 0, size = random.int(3, 5); item < size; item += 1) {
      const occurredAt = new Date(start.getTime() + random.int(0, 10 * 24) * hourMs);
      nearMisses.push(
        nearMiss(
          draw,
          { category: 'medication', serviceId, occurredAt, personId, origin: 'cluster' },
          { medicationName },
        ),
      );
    }
  }

  while (nearMisses.length < count) {
    const category = random.weighted(categories);
    nearMisses.push(
      nearMiss(draw, {
        category,
        serviceId: random.pick(services),
        occurredAt: occurrenceTime(random, options.from, options.to),
      }),
    );
  }
  nearMisses.sort((a, b) => a.reportedAt.getTime() - b.reportedAt.getTime() || a.id.localeCompare(b.id));
  return { tenantId, services, nearMisses };
}

/** Near misses per tenant: tenants differ in size (a large provider beside smaller ones), summing to the total. */
export function tenantSizes(total: number, tenants: number): number[] {
  const weights = Array.from({ length: tenants }, (_, index) => 1 / (1 + index * 0.5));
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((weight) => Math.floor((total * weight) / sum));
  sizes[0] += total - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

export interface SeriesSpec {
  serviceId: string;
  category: string;
  /** Expected near misses in week `week` (0-based); each week's count is a Poisson draw. */
  weeklyMean: (week: number) => number;
}

/**
 * A tenant whose weekly counts per service and category follow given means:
 * generated years with known special causes (a shift, a spike, a fall) beside
 * stable control series, to test control charts against.
 */
export function generateSeries(options: {
  tenantId: string;
  seed: number;
  firstWeek: Date;
  weeks: number;
  series: SeriesSpec[];
  registry: readonly RegisteredCategory[];
}): SyntheticTenant {
  // The counts depend on the seed alone: the same year in whichever tenant it is loaded into.
  const random = new SeededRandom(seedOf(`${options.seed}:series`));
  const services = [...new Set(options.series.map((spec) => spec.serviceId))];
  let index = 0;
  const draw: Draw = {
    tenantId: options.tenantId,
    services,
    random,
    ids: new SeededRandom(seedOf(`${options.seed}:${options.tenantId}:ids`)),
    registry: new Map(options.registry.map((registered) => [registered.definition.key, registered])),
    nextIndex: () => (index += 1),
  };
  const nearMisses: SyntheticNearMiss[] = [];
  for (const spec of options.series) {
    for (let week = 0; week < options.weeks; week += 1) {
      for (let item = random.poisson(spec.weeklyMean(week)); item > 0; item -= 1) {
        const occurredAt = new Date(
          options.firstWeek.getTime() + week * 7 * dayMs + random.int(0, 7 * 24 * 60) * 60_000,
        );
        nearMisses.push(nearMiss(draw, { category: spec.category, serviceId: spec.serviceId, occurredAt }));
      }
    }
  }
  nearMisses.sort((a, b) => a.reportedAt.getTime() - b.reportedAt.getTime() || a.id.localeCompare(b.id));
  return { tenantId: options.tenantId, services, nearMisses };
}
