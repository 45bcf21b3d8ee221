import { loadConfig } from './env';
import { createClientAddressResolver } from './trust-proxy';

const SECRET = 'a-secret-that-is-long-enough-0123456789abcdef';
const request = (peer: string, forwarded?: string) => ({
  socket: { remoteAddress: peer },
  headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
});

describe('client address behind proxies', () => {
  it('never reads X-Forwarded-For without TRUST_PROXY', () => {
    const address = createClientAddressResolver(false);
    expect(address(request('10.0.0.5', '1.2.3.4'))).toBe('10.0.0.5');
    expect(address(request('::ffff:10.0.0.5', '1.2.3.4'))).toBe('10.0.0.5');
  });

  it('walks as many hops as configured, no further', () => {
    const address = createClientAddressResolver(1);
    // The client wrote "6.6.6.6" itself; the one proxy appended the address it saw.
    expect(address(request('10.0.0.1', '6.6.6.6, 1.2.3.4'))).toBe('1.2.3.4');
    expect(address(request('10.0.0.1'))).toBe('10.0.0.1');
  });

  it('trusts only the listed proxies', () => {
    const address = createClientAddressResolver(['10.0.0.0/8', 'loopback']);
    expect(address(request('127.0.0.1', '6.6.6.6, 1.2.3.4, 10.1.1.1'))).toBe('1.2.3.4');
    // A peer outside the list is the client, whatever it claims.
    expect(address(request('8.8.8.8', '1.2.3.4'))).toBe('8.8.8.8');
  });

  it('reads TRUST_PROXY as a hop count or a list, and refuses "true"', () => {
    const read = (value?: string) =>
      loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, TRUST_PROXY: value }).config.http
        .trustProxy;
    expect(read()).toBe(false);
    expect(read('0')).toBe(false);
    expect(read('2')).toBe(2);
    expect(read('10.0.0.0/8, loopback')).toEqual(['10.0.0.0/8', 'loopback']);
    expect(() => read('true')).toThrow(/TRUST_PROXY/);
    expect(() => read('10.0.0.0/33')).toThrow(/TRUST_PROXY/);
  });

  it('reads every rate limit and its window from the environment', () => {
    const { config } = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: SECRET,
      RATE_LIMIT_AUTH: '3',
      RATE_LIMIT_AUTH_WINDOW: '120',
      RATE_LIMIT_GM: '0',
    });
    expect(config.rateLimit.auth).toEqual({ limit: 3, windowSeconds: 120 });
    expect(config.rateLimit.gm.limit).toBe(0);
    expect(config.rateLimit.default).toEqual({ limit: 600, windowSeconds: 60 });
    expect(() =>
      loadConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, RATE_LIMIT_DEFAULT: '-1' }),
    ).toThrow(/RATE_LIMIT_DEFAULT/);
  });
});
