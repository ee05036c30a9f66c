import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config';
import { useDevelopmentSecret } from './development-secret';
import { signToken } from './jwt';
import { Role } from './role';

// npm run token -- --role SUPERVISOR --tenant acme --services north,south --sub staff-1
const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true, default: ['REPORTER'] },
    tenant: { type: 'string', default: 'demo-tenant' },
    services: { type: 'string', default: '*' },
    sub: { type: 'string', default: 'staff-1' },
    expires: { type: 'string', default: '12h' },
  },
});

async function main() {
  const config = loadConfig();
  useDevelopmentSecret(config);
  const roles = z
    .array(z.enum(Role))
    .parse(values.role.flatMap((role) => role.split(',')).map((role) => role.trim().toUpperCase()));
  const token = await signToken(config.auth.jwtSecret, {
    sub: values.sub,
    tenant: values.tenant,
    roles,
    services: values.services
      .split(',')
      .map((service) => service.trim())
      .filter(Boolean),
    expiresIn: values.expires,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
