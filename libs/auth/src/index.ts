export {
  ANONYMOUS,
  ANONYMOUS_TENANT,
  SCOPES,
  TENANT_NAME,
  hasScope,
  isAdmin,
  isScope,
  type Principal,
  type Scope,
} from './scopes';
export { ApiKeyRing, createApiKey, parseApiKeys, sha256Hex } from './api-key-ring';
export { ApiKeysError } from './errors';
export { loadApiKeys, type ApiKeySources } from './load-api-keys';
export { runKeysCommand } from './keys-command';
