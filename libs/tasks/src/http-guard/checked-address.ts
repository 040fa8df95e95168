import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AddressPolicy } from './address-policy';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  readonly address: string;
  /** 4 or 6. */
  readonly family: number;
}

/** Resolves a host name to every address it has (the shape of `dns.lookup` with `all: true`). */
export type HostLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (`/etc/hosts`, then DNS), every address in the order it gives them. */
export const systemHostLookup: HostLookup = (hostname) => lookup(hostname, { all: true, order: 'verbatim' });

/**
 * The address to connect to for a URL's host, or undefined when the host must not be reached: it resolves to
 * nothing, or to ANY address the policy refuses (a name mixing public and private answers is refused whole,
 * so the choice of address cannot be steered). The caller connects to exactly this address: no second
 * lookup that DNS could answer differently.
 * @param hostname a URL's `hostname` (an IPv6 literal in brackets is accepted).
 */
export async function checkedAddress(
  hostname: string,
  policy: AddressPolicy,
  resolve: HostLookup,
): Promise<ResolvedAddress | undefined> {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const literalFamily = isIP(bare);
  const addresses = literalFamily !== 0 ? [{ address: bare, family: literalFamily }] : await resolve(bare);
  if (addresses.length === 0 || !addresses.every(({ address }) => policy.allows(address))) return undefined;
  return addresses[0];
}
