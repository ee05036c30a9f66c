import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  eventId: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
  startedAt: number;
  endedAt: number;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Requests answered 2xx. */
  accepted(): ReceivedRequest[];
  /** Event ids that arrived while a request for the same event was still being answered. */
  overlaps: string[];
  /** What to answer: a status code, or a function of the request number. */
  respondWith(status: number | ((request: { eventId: string; count: number }) => number)): void;
  /** Delay before answering, to widen the window in which a duplicate could overlap. */
  delayMs: number;
  /** Stops listening: senders get ECONNREFUSED until listen() again (on the same port). */
  close(): Promise<void>;
  listen(): Promise<void>;
}

/** A local webhook receiver on 127.0.0.1 that records every request and can be down, failing or slow. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let answer: number | ((request: { eventId: string; count: number }) => number) = 200;
  const inFlight = new Map<string, number>();
  const receiver: WebhookReceiver = {
    url: '',
    requests: [],
    overlaps: [],
    delayMs: 0,
    accepted: () => receiver.requests.filter((request) => request.status >= 200 && request.status < 300),
    respondWith(status) {
      answer = status;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
    listen: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    const startedAt = Date.now();
    const eventId = String(request.headers['x-near-miss-event-id']);
    if (inFlight.get(eventId)) receiver.overlaps.push(eventId);
    inFlight.set(eventId, (inFlight.get(eventId) ?? 0) + 1);
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      setTimeout(() => {
        const count = receiver.requests.filter((seen) => seen.eventId === eventId).length + 1;
        const status = typeof answer === 'function' ? answer({ eventId, count }) : answer;
        inFlight.set(eventId, (inFlight.get(eventId) ?? 1) - 1);
        receiver.requests.push({
          eventId,
          url: request.url ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          status,
          startedAt,
          endedAt: Date.now(),
        });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'unavailable');
      }, receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${port}/hooks/near-miss`;
  return receiver;
}
