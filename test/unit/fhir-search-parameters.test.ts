import { dateBounds, dateRange, parseAdverseEventSearch } from '../../subgraph/fhir/search-parameters';

const iso = (value: Date | undefined) => value?.toISOString();

describe('FHIR date search values', () => {
  it.each([
    ['2026', '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2026-02', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ['2026-12-31', '2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['2026-11-20T10:15Z', '2026-11-20T10:15:00.000Z', '2026-11-20T10:16:00.000Z'],
    ['2026-11-20T10:15:30+01:00', '2026-11-20T09:15:30.000Z', '2026-11-20T09:15:31.000Z'],
  ])('%s stands for [%s, %s)', (value, start, end) => {
    const range = dateRange(value)!;
    expect([iso(range.start), iso(range.end)]).toEqual([start, end]);
  });

  it.each(['2026-13', '2026-02-30', '20261120', '2026-11-20T10:15', 'yesterday'])('refuses %s', (value) => {
    expect(dateRange(value)).toBeUndefined();
    expect(() => dateBounds(value)).toThrow(/FHIR date search value/);
  });

  it.each([
    ['ge2026-11-20', '2026-11-20T00:00:00.000Z', undefined],
    ['gt2026-11-20', '2026-11-21T00:00:00.000Z', undefined],
    ['le2026-11-20', undefined, '2026-11-21T00:00:00.000Z'],
    ['lt2026-11-20', undefined, '2026-11-20T00:00:00.000Z'],
    ['eq2026-11-20', '2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z'],
    ['2026-11-20', '2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z'],
  ])('%s bounds the occurrence to from %s, before %s', (value, from, to) => {
    const bounds = dateBounds(value);
    expect([iso(bounds.from), iso(bounds.to)]).toEqual([from, to]);
  });

  it('intersects several dates, splits category tokens and reads _count', () => {
    const search = parseAdverseEventSearch(
      new URLSearchParams(
        'date=ge2026-11-01&date=ge2026-11-10&date=le2026-11-30&date=lt2026-11-20&category=medication-mishap,http://terminology.hl7.org/CodeSystem/adverse-event-category|device&_count=5',
      ),
    );
    expect(iso(search.occurredFrom)).toBe('2026-11-10T00:00:00.000Z');
    expect(iso(search.occurredTo)).toBe('2026-11-20T00:00:00.000Z');
    expect(search.fhirCategories).toEqual(['medication-mishap', 'device']);
    expect(search.count).toBe(5);
  });

  it.each(['_count=1.5', '_count=-1', '_count=101', '_count=', 'category=other-system|device', '_cursor=xyz'])(
    'refuses %s',
    (query) => {
      expect(() => parseAdverseEventSearch(new URLSearchParams(query))).toThrow();
    },
  );
});
