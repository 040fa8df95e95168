import { JOBS, sleep, type ContractCase, type Fixtures } from './contract-case';
import type { ApiRequest, Caller } from './contract-stack';
import type { DocumentedOperation } from './openapi-validator';

/** A key without the scope an operation needs. */
const LACKING: Record<string, Caller> = {
  'jobs:read': 'writer',
  'jobs:write': 'reader',
  'jobs:cancel': 'reader',
  admin: 'alice',
};

/** Sample values for the document's path parameters. */
const PATH_PARAMETERS = (fixtures: Fixtures): Record<string, string> => ({
  id: fixtures.completedJobId,
  lane: 'io',
});

/** The body each submitting operation takes; other operations send none. */
const BODIES: Record<string, unknown> = {
  [`POST ${JOBS}`]: sleep(1),
  [`POST ${JOBS}/batch`]: { jobs: [sleep(1)] },
};

/** A request the operation would accept from the right key: for 401, 403 and 429. */
function anyRequest(operation: DocumentedOperation, fixtures: Fixtures, as: Caller): ApiRequest {
  const values = PATH_PARAMETERS(fixtures);
  return {
    method: operation.method,
    path: operation.path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? name),
    as,
    ...(BODIES[operation.name] === undefined ? {} : { body: BODIES[operation.name] }),
  };
}

/** 401, 403 and 429 for every operation that needs a key, from the document itself. */
export function accessCases(operations: DocumentedOperation[]): ContractCase[] {
  return operations
    .filter((operation) => operation.scope !== undefined)
    .flatMap((operation) => [
      {
        operation: operation.name,
        status: 401,
        why: 'no key',
        request: (fixtures: Fixtures) => anyRequest(operation, fixtures, 'nobody'),
      },
      {
        operation: operation.name,
        status: 403,
        why: `a key without ${operation.scope}`,
        request: (fixtures: Fixtures) => anyRequest(operation, fixtures, LACKING[operation.scope ?? '']),
      },
      {
        operation: operation.name,
        status: 429,
        why: 'a key past its RATE_LIMIT',
        request: (fixtures: Fixtures) => anyRequest(operation, fixtures, 'flood'),
      },
    ]);
}
