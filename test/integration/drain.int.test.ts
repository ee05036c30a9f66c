import { connect, type Socket } from 'node:net';
import { startTestApp, uniqueTenant, type TestApp } from '../support/test-app';

// The drain in the process, seen from raw connections: once a stop begins,
// an idle keep-alive connection is closed, new connections (a readiness
// probe's too) are refused, and a request whose body was still arriving is
// answered, closing its connection, before the server stops.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t?.stop());

const port = () => Number(new URL(t.url).port);

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port(), '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes bytes and resolves with everything the server sends until it closes the connection or a full answer arrives. */
function answerOn(socket: Socket, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const done = () => resolve(received);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const [head, body = ''] = received.split('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? NaN);
      if (body.length >= length) done();
    });
    socket.once('close', done);
    socket.write(bytes);
  });
}

it('closes idle connections, refuses new ones and answers the request in flight', async () => {
  const token = await t.token({ tenant: uniqueTenant('drain'), roles: ['REPORTER'] });
  const body = JSON.stringify({ query: '{ viewer { tenantId } }' });
  const idle = await open();
  expect(await answerOn(idle, 'GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);

  // A request whose body has not all arrived yet is in flight.
  const busy = await open();
  const split = 10;
  const answer = answerOn(
    busy,
    `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, split)}`,
  );
  const stopped = t.app.http.stop(30_000);

  await new Promise((resolve) => idle.once('close', resolve));
  await expect(open()).rejects.toMatchObject({ code: 'ECONNREFUSED' });

  busy.write(body.slice(split));
  const text = await answer;
  expect(text).toMatch(/^HTTP\/1\.1 200 /);
  expect(text).toMatch(/connection: close/i);
  expect(text).toContain('"viewer":{"tenantId"');
  expect(await stopped).toEqual({ cut: 0 });
});
