import { readFileSync } from 'node:fs';
import { ApiKeyRing } from './api-key-ring';
import { ApiKeysError } from './errors';

export interface ApiKeySources {
  API_KEYS?: string;
  API_KEYS_FILE?: string;
}

/**
 * The keys from `API_KEYS` and the file `API_KEYS_FILE` (a mounted Secret), together.
 * @throws ApiKeysError for an unreadable file or a bad entry.
 */
export function loadApiKeys(sources: ApiKeySources): ApiKeyRing {
  let fromFile = '';
  if (sources.API_KEYS_FILE) {
    try {
      fromFile = readFileSync(sources.API_KEYS_FILE, 'utf8');
    } catch (error) {
      throw new ApiKeysError(
        `API_KEYS_FILE=${sources.API_KEYS_FILE} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): mount the keys Secret there or unset it`,
      );
    }
  }
  return ApiKeyRing.parse([sources.API_KEYS ?? '', fromFile].join('\n'));
}
