import { ConfigError, loadConfig } from './config.js';

const trustProxy = (value: string | undefined) => loadConfig({ TESSERA_TRUST_PROXY: value }).trustProxy;

describe('TESSERA_TRUST_PROXY', () => {
  it('trusts no proxy when unset or false: the client is the socket peer', () => {
    for (const value of [undefined, '', 'false', 'no', '0']) expect(trustProxy(value)).toBe(false);
  });

  it('takes a hop count; true is the one proxy next to us', () => {
    for (const value of ['true', 'yes', '1']) expect(trustProxy(value)).toEqual({ hops: 1 });
    expect(trustProxy('2')).toEqual({ hops: 2 });
  });

  it('takes proxy addresses and CIDRs, IPv4 and IPv6', () => {
    expect(trustProxy('10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback')).toEqual({
      addresses: ['10.0.0.0/8', '127.0.0.1', '::1', 'fd00::/8', 'loopback'],
    });
  });

  const notAddresses = ['yes please', '-1', 'proxy.example', '1.2.3.4,'];
  const badCidrs = ['10.0.0/8', '10.0.0.0/', '10.0.0.0/33', '10.0.0.0/8/1', '::/129'];
  it.each([...notAddresses, ...badCidrs])('stops the boot on %j, naming the variable', (value) => {
    expect(() => trustProxy(value)).toThrow(ConfigError);
    expect(() => trustProxy(value)).toThrow(/TESSERA_TRUST_PROXY/);
  });
});

describe('TESSERA_JWT_PREVIOUS_SECRETS', () => {
  const strong = 'p'.repeat(32);

  it('takes secrets as strong as the current one', () => {
    expect(loadConfig({ TESSERA_JWT_PREVIOUS_SECRETS: `${strong}, ${'q'.repeat(40)}` }).jwt.previousSecrets).toEqual([
      strong,
      'q'.repeat(40),
    ]);
  });

  it('stops the boot on a short one: it would keep old tokens forgeable', () => {
    expect(() => loadConfig({ TESSERA_JWT_PREVIOUS_SECRETS: `${strong},short` })).toThrow(
      /TESSERA_JWT_PREVIOUS_SECRETS/,
    );
  });
});
