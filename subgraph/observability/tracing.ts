import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { RequestRecord } from '../server/request-scope';

/** One server span per HTTP request, child of the caller's W3C `traceparent` (the gateway's span) when it sends one. */
export interface Tracing {
  /** Starts the request's span; the returned function ends it with the answer's status and what the request was. */
  startRequestSpan(
    method: string,
    route: string,
    headers: Record<string, string | string[] | undefined>,
  ): (status: number, record: RequestRecord) => void;
  /** Sends the spans not yet exported and stops. */
  shutdown(): Promise<void>;
}

const headerGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};

/**
 * OpenTelemetry tracing, exported over OTLP/HTTP to `endpoint` (the
 * collector's base URL; spans go to `<endpoint>/v1/traces`). Off (undefined)
 * without an endpoint. Spans carry the route, the operation type and name,
 * the status and the error codes: no tenant, person or free text.
 */
export function createTracing(options: { endpoint?: string; serviceName: string }): Tracing | undefined {
  if (!options.endpoint) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, '')}/v1/traces` })),
    ],
  });
  const tracer = provider.getTracer('near-miss-subgraph');
  const propagator = new W3CTraceContextPropagator();
  return {
    startRequestSpan(method, route, headers) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
      const span = tracer.startSpan(
        `${method} ${route}`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route } },
        parent,
      );
      return (status, record) => {
        span.setAttribute('http.response.status_code', status);
        if (record.operationType) span.setAttribute('graphql.operation.type', record.operationType);
        if (record.operationName) span.setAttribute('graphql.operation.name', record.operationName);
        if (record.errorCodes.length) span.setAttribute('near_miss.error_codes', [...new Set(record.errorCodes)]);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      };
    },
    shutdown: () => provider.shutdown(),
  };
}
