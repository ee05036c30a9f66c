import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { testSecret, testWebhookSecretKey } from './test-app';

const root = join(__dirname, '../..');

export interface SubgraphProcess {
  child: ChildProcess;
  /** http://localhost:<port>/graphql once the process said it is ready. */
  url: string;
  /** Every JSON line the process logged so far. */
  logs: Record<string, unknown>[];
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/**
 * Starts the subgraph as `npm start` would (subgraph/main.ts in a process of
 * its own, sources transpiled on the fly) and resolves once it logs that it
 * is ready, or, with `until: 'listening'`, once its HTTP server listens.
 */
export function startSubgraphProcess(
  env: Record<string, string>,
  options: { until?: 'ready' | 'listening'; timeoutMs?: number } = {},
): Promise<SubgraphProcess> {
  const child = spawn(process.execPath, ['-r', join(__dirname, 'ts-register.cjs'), join(root, 'subgraph/main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      PORT: '0',
      AUTH_JWT_SECRET: testSecret,
      WEBHOOK_SECRET_KEY: testWebhookSecretKey,
      WEBHOOK_DISPATCH_ENABLED: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the subgraph did not start: ${JSON.stringify(logs.slice(-5))}`));
    }, options.timeoutMs ?? 180_000);
    let buffered = '';
    child.stderr.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { message: line };
        }
        logs.push(entry);
        const message = String(entry.message);
        const url = (entry.url as string | undefined) ?? /ready at (\S+)/.exec(message)?.[1];
        const done = options.until === 'listening' ? message.startsWith('listening') : message.includes('ready at');
        if (done && url) {
          clearTimeout(timer);
          resolve({ child, url, logs, exited });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the subgraph exited (${code}) before it started: ${JSON.stringify(logs.slice(-5))}`));
    });
  });
}
