import { ConfigError } from '@switchyard/config';

/**
 * A bad API_KEYS entry, an unreadable API_KEYS_FILE, or a bad `keys create` argument. A configuration
 * mistake: a service that meets one at start exits 78 (`loadConfigOrExit`).
 */
export class ApiKeysError extends ConfigError {
  override readonly name = 'ApiKeysError';
}
