import type { TaskCatalog } from '@switchyard/tasks';
import { schemaRef, toOpenApiSchema, type JsonSchema } from './openapi-schema';

/** The component name of a task's result. */
export function taskResultId(task: string): string {
  return `TaskResult.${task}`;
}

/**
 * One `TaskResult.<task>` per catalog task, from its `resultSchema`, and the schema of `JobView.result`:
 * an `anyOf` of them. Not a `oneOf` with a discriminator: a result carries no `task` field of its own to
 * discriminate by (the job view's `task` does, one level up), and results of different tasks may match
 * the same shape, which `oneOf` would reject.
 */
export function taskResultSchemas(catalog: TaskCatalog): {
  components: Record<string, JsonSchema>;
  jobResult: JsonSchema;
} {
  const names = catalog.names();
  const components = Object.fromEntries(
    names.map((name) => {
      const schema = toOpenApiSchema(catalog.get(name).resultSchema, 'output');
      return [taskResultId(name), { description: `What a completed ${name} job returns`, ...schema }];
    }),
  );
  return {
    components,
    jobResult: {
      description: "The task's result, once completed: the `TaskResult.<task>` of the job's `task`",
      anyOf: names.map((name) => schemaRef(taskResultId(name))),
    },
  };
}

/** `JobView` with its `result` documented per task (the zod schema leaves it open: it serves every task). */
export function withTaskResults(
  schemas: Record<string, JsonSchema>,
  jobResult: JsonSchema,
): Record<string, JsonSchema> {
  const jobView = schemas.JobView as JsonSchema & { properties: Record<string, JsonSchema> };
  return { ...schemas, JobView: { ...jobView, properties: { ...jobView.properties, result: jobResult } } };
}
