import { BlockList, isIP } from 'node:net';

/** One `HTTP_ALLOWED_CIDRS` entry. */
export interface HttpAllowedCidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

type Range = readonly [network: string, prefix: number];

/**
 * Addresses a job must not reach unless an operator allows them: everything that is not the public
 * internet. IPv4 rules also match IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`): BlockList checks
 * the embedded IPv4 address.
 */
const REFUSED_IPV4: readonly Range[] = [
  ['0.0.0.0', 8], // "this network": 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT (also Alibaba's metadata, 100.100.100.200)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address 255.255.255.255
];
const REFUSED_IPV6: readonly Range[] = [
  ['::', 96], // unspecified (::), loopback (::1) and the deprecated IPv4-compatible range
  ['64:ff9b::', 96], // NAT64: reaches the embedded IPv4 address, whatever range it is in
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 32], // Teredo (tunnels to an embedded IPv4 address)
  ['2001:2::', 48], // benchmarking
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique local (private); includes AWS's fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];
/**
 * Cloud metadata endpoints: they hand out credentials, so they stay refused even when an allowed range
 * contains them (an operator allowing 169.254.0.0/16 for a link-local service rarely means these); only an
 * allowed single-address entry (`/32`, `/128`) naming one of them lets it through.
 */
const METADATA_ADDRESSES: readonly Range[] = [
  ['169.254.169.254', 32], // AWS, GCP, Azure, OCI, DigitalOcean…
  ['169.254.170.2', 32], // AWS ECS task metadata
  ['169.254.170.23', 32], // AWS EKS pod identity
  ['100.100.100.200', 32], // Alibaba Cloud
  ['fd00:ec2::254', 128], // AWS over IPv6
  ['fd00:ec2::23', 128], // AWS EKS pod identity over IPv6
];

const familyOf = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

function blockListOf(ranges: readonly Range[]): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, familyOf(network));
  return list;
}

const REFUSED = blockListOf([...REFUSED_IPV4, ...REFUSED_IPV6]);
const METADATA = blockListOf(METADATA_ADDRESSES);

/** Decides which resolved addresses `io.http` may connect to. */
export class AddressPolicy {
  readonly #allowed: BlockList;
  readonly #allowedExactly: BlockList;

  /** @param allowedCidrs ranges let through although refused by default (`HTTP_ALLOWED_CIDRS`). */
  constructor(allowedCidrs: readonly HttpAllowedCidr[] = []) {
    const ranges = allowedCidrs.map(({ address, prefix }): Range => [address, prefix]);
    this.#allowed = blockListOf(ranges);
    this.#allowedExactly = blockListOf(
      ranges.filter(([address, prefix]) => prefix === (isIP(address) === 6 ? 128 : 32)),
    );
  }

  /** False for anything but a plain public IP address, unless an allowed range covers it. */
  allows(address: string): boolean {
    // A zone id (fe80::1%eth0) would make BlockList miss the link-local rule: never connect to one.
    if (isIP(address) === 0 || address.includes('%')) return false;
    const family = familyOf(address);
    if (METADATA.check(address, family)) return this.#allowedExactly.check(address, family);
    return !REFUSED.check(address, family) || this.#allowed.check(address, family);
  }
}
