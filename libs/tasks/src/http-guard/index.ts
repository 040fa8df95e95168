export { AddressPolicy, type HttpAllowedCidr } from './address-policy';
export { checkedAddress, systemHostLookup, type HostLookup, type ResolvedAddress } from './checked-address';
export {
  effectivePort,
  httpUrlRefusal,
  isAllowedTarget,
  urlForMessages,
  type HttpAllowedHost,
} from './http-allowlist';
export { IO_HTTP_UNREACHABLE_MESSAGE, IoHttpUnreachableError } from './io-http-errors';
export { ALWAYS_REDACTED_HEADERS, REDACTED, redactIoHttpPayload } from './io-http-redaction';
export { createHttpAgents, sendPinnedRequest, type HttpAgents } from './pinned-request';
