import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressPolicy, catalogOptionsFromEnv } from '@switchyard/tasks';

const policyAllowing = (cidrs: string) =>
  new AddressPolicy(catalogOptionsFromEnv({ HTTP_ALLOWED_CIDRS: cidrs }).httpAllowedCidrs);

// Pure checks: no address here is ever connected to.
describe('io.http address policy', () => {
  const policy = new AddressPolicy();

  it('refuses loopback, private, link-local, CGNAT, multicast, unspecified, broadcast, metadata and reserved addresses', () => {
    const refused = [
      '127.0.0.1',
      '127.255.255.254',
      '0.0.0.0',
      '0.1.2.3',
      '10.0.0.1',
      '10.255.255.255',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '169.254.0.1',
      '169.254.169.254',
      '169.254.170.2',
      '100.64.0.1',
      '100.127.255.254',
      '100.100.100.200',
      '224.0.0.1',
      '239.255.255.250',
      '240.0.0.1',
      '255.255.255.255',
      '192.0.0.8',
      '192.0.2.1',
      '198.18.0.1',
      '198.51.100.1',
      '203.0.113.1',
      '::',
      '::1',
      '::7f00:1',
      'fc00::1',
      'fd12:3456::1',
      'fd00:ec2::254',
      'fe80::1',
      'febf::1',
      'fec0::1',
      'ff02::1',
      '2001:db8::1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::1',
      '2001:0:4136:e378::1',
      '100::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '0:0:0:0:0:ffff:c0a8:101',
      'fe80::1%eth0',
      'not-an-address',
      '',
    ];
    for (const address of refused) assert.equal(policy.allows(address), false, address);
  });

  it('allows public addresses, IPv4-mapped ones included', () => {
    const allowed = [
      '1.1.1.1',
      '8.8.8.8',
      '93.184.215.14',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
    ];
    for (const address of allowed) assert.equal(policy.allows(address), true, address);
  });

  it('lets HTTP_ALLOWED_CIDRS open a range, and its IPv4-mapped spelling', () => {
    const open = policyAllowing('10.1.0.0/16,127.0.0.1/32,fd00:1::/32');
    for (const address of ['10.1.2.3', '127.0.0.1', '::ffff:127.0.0.1', 'fd00:1::5']) {
      assert.equal(open.allows(address), true, address);
    }
    for (const address of ['10.2.0.1', '127.0.0.2', '::1', 'fd00:2::5']) {
      assert.equal(open.allows(address), false, address);
    }
  });

  it('keeps metadata addresses refused inside an allowed range unless allowed by exact address', () => {
    assert.equal(policyAllowing('169.254.0.0/16').allows('169.254.169.254'), false);
    assert.equal(policyAllowing('169.254.0.0/16').allows('169.254.1.1'), true);
    assert.equal(policyAllowing('fd00::/8').allows('fd00:ec2::254'), false);
    assert.equal(policyAllowing('169.254.169.254/32').allows('169.254.169.254'), true);
    assert.equal(policyAllowing('fd00:ec2::254').allows('fd00:ec2::254'), true);
  });
});
