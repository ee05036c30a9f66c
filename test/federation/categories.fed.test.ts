import { startGateway } from '../support/gateway';
import { startHostSuite } from '../support/host-suite';
import { installFallsExample, outsideFolder } from '../support/plugin-fixtures';
import { medicationReport, newKey, reportMutation } from '../support/reports';
import { startTestApp, uniqueTenant, type Caller, type TestApp } from '../support/test-app';

const folder = outsideFolder('fed-plugins');
let t: TestApp;
let host: Awaited<ReturnType<typeof startHostSuite>>;
let gateway: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  t = await startTestApp({ plugins: [installFallsExample(folder.path)] });
  host = await startHostSuite();
  gateway = await startGateway({ 'care-suite': host.url, 'near-miss': t.url });
});
afterAll(async () => {
  await gateway?.stop();
  await host?.stop();
  await t?.stop();
  folder.remove();
});

const reporter = (): Caller => ({
  tenant: uniqueTenant('fed-categories'),
  sub: 'staff-7',
  roles: ['REPORTER'],
  services: ['north'],
});

interface FieldSchema {
  title?: string;
  type?: string;
  enum?: string[];
}

describe('categories through the gateway', () => {
  it('lists the seven built-ins and the outside falls plugin, each with a JSON Schema a form can render and label', async () => {
    const result = await t.graphql(
      '{ categories { key label description version fieldsSchema gates { key label } verificationTemplates { method everyDays count } fhirAdverseEventCategory enabled } }',
      {},
      reporter(),
      gateway.url,
    );
    expect(result.errors).toBeUndefined();
    const categories = result.data!.categories as {
      key: string;
      label: string;
      fieldsSchema: { type: string; title: string; properties: Record<string, FieldSchema>; required: string[] };
    }[];
    expect(categories.map((category) => category.key)).toEqual([
      'medication',
      'transport',
      'mealtime',
      'escalation',
      'safeguarding',
      'rota',
      'environment',
      'falls',
    ]);
    for (const category of categories) {
      expect(category.fieldsSchema).toMatchObject({ type: 'object', title: category.label });
      const fields = Object.entries(category.fieldsSchema.properties);
      expect(fields.length).toBeGreaterThanOrEqual(4);
      for (const [name, field] of fields) {
        expect([name, typeof field.title === 'string' && field.title.length > 0]).toEqual([name, true]);
        expect([name, field.type ?? (field.enum ? 'enum' : undefined)]).toEqual([name, expect.any(String)]);
      }
      expect(category.fieldsSchema.required.length).toBeGreaterThan(0);
    }
    const mealtime = categories.find((category) => category.key === 'mealtime')!;
    expect(mealtime.fieldsSchema.properties.requiredIddsiLevel).toMatchObject({
      type: 'integer',
      minimum: 0,
      maximum: 7,
      title: 'Required IDDSI level',
    });
  });

  it('accepts a falls report through the gateway', async () => {
    const input = medicationReport({
      category: 'falls',
      workflowStage: 'ENVIRONMENT',
      details: {
        activity: 'TOILETING',
        nearlyCausedBy: 'SENSOR_OR_CALL_ALARM_OFF',
        personLostBalance: false,
        fallsRiskAssessmentCurrent: true,
      },
    });
    const result = await t.graphql(reportMutation, { input, key: newKey() }, reporter(), gateway.url);
    expect(result.errors).toBeUndefined();
    expect(result.data!.reportNearMiss).toMatchObject({
      suggestedRoute: 'OPERATIONAL_FIX',
      sameDay: true,
      nearMiss: { category: { key: 'falls' } },
    });
  });
});
