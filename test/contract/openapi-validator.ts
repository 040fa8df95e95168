import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ApiAnswer } from './contract-stack';
import { parseEventStream } from './event-stream';

interface HeaderObject {
  required?: boolean;
  schema?: { type?: string };
}
interface ResponseObject {
  content?: Record<string, { schema: object }>;
  headers?: Record<string, HeaderObject>;
}
interface OperationObject {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

/** One operation of the document, named as `METHOD /path/{param}`. */
export interface DocumentedOperation {
  name: string;
  method: string;
  path: string;
  /** The scope its key needs; undefined for a public operation. */
  scope?: string;
  statuses: number[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

export function documentedOperations(document: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        scope: operation.security?.[0] ? Object.values(operation.security[0])[0]?.[0] : undefined,
        statuses: Object.keys(operation.responses).map(Number),
      })),
  );
}

const pointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const essence = (contentType: string) => contentType.split(';', 1)[0].trim().toLowerCase();

/**
 * Checks live answers against the document with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1):
 * the status is documented for the operation, the content type is one it documents, the body matches
 * that media type's schema (for `text/event-stream`: each event, and its data against its contentSchema), a status documented
 * without a body has none, and every required header is present and of its type.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema(document as object, 'api');
  }

  /** Every way `answer` departs from the document; empty when it conforms. */
  violations(operation: DocumentedOperation, answer: ApiAnswer): string[] {
    const documented = this.document.paths[operation.path][operation.method.toLowerCase()];
    const response = documented.responses[String(answer.status)];
    if (!response) return [`status ${answer.status} is not documented`];
    const problems: string[] = [];
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const value = answer.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`required header ${name} is missing`);
      } else if (header.schema?.type === 'integer' && !/^\d+$/.test(value)) {
        problems.push(`header ${name}: ${JSON.stringify(value)} is not an integer`);
      }
    }
    if (!response.content) {
      // A status documented without a body (204): an answer with one departs from it.
      if (answer.body !== '')
        problems.push(`a body where none is documented: ${String(answer.body).slice(0, 80)}`);
      return problems;
    }
    const contentType = answer.headers.get('content-type') ?? '';
    const media = Object.keys(response.content).find((type) => essence(type) === essence(contentType));
    if (!media) {
      return [...problems, `content-type ${contentType} is not one of ${Object.keys(response.content)}`];
    }
    const ref = `api#/paths/${pointer(operation.path)}/${operation.method.toLowerCase()}/responses/${answer.status}/content/${pointer(media)}/schema`;
    const validate = this.ajv.getSchema(ref) ?? this.ajv.compile({ $ref: ref });
    const check = (body: unknown, where: string) => {
      if (validate(body)) return;
      problems.push(
        ...(validate.errors ?? []).map(
          (error) => `${where}${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
        ),
      );
    };
    if (essence(media) === 'text/event-stream') {
      // The schema is one event (OpenAPI 3.1; 3.2 names it itemSchema): each event's fields must match it,
      // and its data, JSON text, the schema its `contentSchema` names (ajv treats that as an annotation).
      const events = parseEventStream(typeof answer.body === 'string' ? answer.body : '');
      if (events.length === 0) problems.push('an event stream without a single event');
      const dataSchema = this.eventDataSchema(response.content[media].schema);
      events.forEach((event, index) => {
        const where = `event ${index} (${event.event ?? 'message'})`;
        check(JSON.parse(JSON.stringify(event)) as unknown, where);
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch {
          problems.push(`${where}: data is not JSON: ${event.data.slice(0, 80)}`);
          return;
        }
        if (dataSchema)
          problems.push(...this.componentViolations(dataSchema, data).map((p) => `${where} data: ${p}`));
      });
    } else {
      check(answer.body, 'body');
    }
    return problems;
  }

  /** The component an event schema's `data.contentSchema` names (`#/components/schemas/<name>`), if any. */
  private eventDataSchema(schema: object): string | undefined {
    const componentOf = (ref: unknown) =>
      typeof ref === 'string' ? ref.replace('#/components/schemas/', '') : undefined;
    const name = componentOf((schema as { $ref?: unknown }).$ref);
    const event = name ? this.document.components.schemas[name] : schema;
    const data = (event as { properties?: { data?: { contentSchema?: { $ref?: unknown } } } }).properties
      ?.data;
    return componentOf(data?.contentSchema?.$ref);
  }

  /** Every way `value` departs from the component schema `name` (`#/components/schemas/<name>`). */
  componentViolations(name: string, value: unknown): string[] {
    const ref = `api#/components/schemas/${pointer(name)}`;
    const validate = this.ajv.getSchema(ref) ?? this.ajv.compile({ $ref: ref });
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (error) => `${name}${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
    );
  }
}
