import { parseArgs } from 'node:util';
import { createApiKey } from './api-key-ring';
import { ApiKeysError } from './errors';

const USAGE = `usage: switchyard keys create --tenant <name> --scopes <scope>[+<scope>…]

Prints a new random API key and the API_KEYS entry that admits it. Give the key to the client;
put only the entry (it holds the key's SHA-256, never the key) in API_KEYS or the API_KEYS_FILE Secret.
Scopes: jobs:write, jobs:read, jobs:cancel, admin.`;

/** `switchyard keys …`; @returns the exit code. */
export function runKeysCommand(argv: string[], out: (line: string) => void = console.log): number {
  const [command, ...rest] = argv;
  if (command !== 'create') {
    out(USAGE);
    return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
  }
  try {
    const { values } = parseArgs({
      args: rest,
      options: { tenant: { type: 'string' }, scopes: { type: 'string' } },
      strict: true,
    });
    if (!values.tenant || !values.scopes) throw new ApiKeysError('--tenant and --scopes are required');
    const { key, entry } = createApiKey(values.tenant, values.scopes.split('+'));
    out(`key:   ${key}`);
    out(`entry: ${entry}`);
    return 0;
  } catch (error) {
    out(`switchyard keys: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
}
