import { z } from 'zod';
import type { Contract } from '../wire/contract.js';
import { NoContentSchema, StreamDoneSchema, StreamErrorSchema } from '../wire/routes/common.js';
import type { Api } from './api.js';

/** Schema → JSON Schema, tolerant of shapes JSON Schema cannot express (they become `{}`). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

/** Query or path schema → OpenAPI parameter objects. */
function parameters(schema: z.ZodType | undefined, where: 'query' | 'path'): unknown[] {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: prop,
  }));
}

/**
 * The 2xx answers of a route: a 204, or a 200 whose content is the JSON body, a file (binary,
 * by media type), the SSE event stream (each `data:` line one event: the route's events, then
 * `{done}`, or `{error, code}` first), or JSON and stream both when the request chooses.
 */
function answers(route: Contract): Record<string, unknown> {
  if (route.response === NoContentSchema) return { '204': { description: 'No content' } };
  const content: Record<string, unknown> = {};
  if (route.response) content['application/json'] = { schema: jsonSchema(route.response, 'output') };
  for (const type of route.file ?? []) content[type] = { schema: { type: 'string', format: 'binary' } };
  if (route.events) content['text/event-stream'] = { schema: jsonSchema(route.events.or(StreamDoneSchema).or(StreamErrorSchema), 'output') };
  return { '200': { description: route.events && route.response ? 'JSON, or when streaming is asked for (?stream=true, or stream in the body) an SSE stream of `data: <json>` events' : 'OK', ...(Object.keys(content).length > 0 && { content }) } };
}

/** Builds the OpenAPI 3 document from the same schemas that validate requests. */
export function openApiDocument(api: Api, info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of api.routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const responses: Record<string, unknown> = {
      ...answers(route),
      default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    paths[path] ??= {};
    paths[path][route.method] = {
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      ...(route.body && {
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
      }),
      responses,
    };
  }
  return {
    openapi: '3.0.3',
    info,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'atelier_<port>' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'code'],
          properties: { error: { type: 'string' }, code: { type: 'string' }, issues: { type: 'array' } },
        },
      },
    },
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
  };
}
