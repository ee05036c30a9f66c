import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { environmentVariables, loadConfig } from '../../subgraph/config';

/** The assignments of .env.example, in order. */
const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8')
  .split('\n')
  .filter((line) => /^[A-Z_]+=/.test(line))
  .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);

describe('.env.example', () => {
  it('documents every variable the configuration reads, and no other', () => {
    expect(example.map(([name]) => name).sort()).toEqual([...environmentVariables].sort());
  });

  it('shows the defaults: loading it as it is gives the configuration of an empty environment', () => {
    const withoutSecrets = ({
      auth,
      pseudonymisationSecret: _secret,
      webhooks,
      ...rest
    }: ReturnType<typeof loadConfig>) => ({
      ...rest,
      auth: { ...auth, jwtSecret: undefined },
      webhooks: { ...webhooks, secretKey: undefined },
    });
    expect(withoutSecrets(loadConfig(Object.fromEntries(example)))).toEqual(withoutSecrets(loadConfig({})));
  });
});
