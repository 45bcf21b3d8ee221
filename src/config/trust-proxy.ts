import { BlockList, isIP } from 'node:net';

/** The named ranges Fastify (proxy-addr) accepts in `trustProxy`. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

function parseCidr(entry: string): { address: string; prefix?: number; family: 'ipv4' | 'ipv6' } {
  const [address, bits] = entry.split('/', 2);
  const version = isIP(address);
  if (version === 0) throw new Error(`not an address: ${entry}`);
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) return { address, family };
  const prefix = Number(bits);
  if (!/^\d+$/.test(bits) || prefix > (version === 4 ? 32 : 128))
    throw new Error(`bad prefix: ${entry}`);
  return { address, prefix, family };
}

export function isTrustedProxyEntry(entry: string): boolean {
  if (entry in NAMED_RANGES) return true;
  try {
    parseCidr(entry);
    return true;
  } catch {
    return false;
  }
}

/** IPv4 peers often show up IPv4-mapped on a dual-stack socket. */
function normalise(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The client address of a raw Node request (the WebSocket upgrade), by the same
 * rule as Fastify's `request.ip` with the same `trustProxy`: walk
 * X-Forwarded-For from the socket outwards while each hop is a trusted proxy.
 * An untrusted peer's X-Forwarded-For is never read.
 */
export function createClientAddressResolver(
  trustProxy: false | number | string[],
): (req: {
  socket?: { remoteAddress?: string };
  headers: Record<string, string | string[] | undefined>;
}) => string {
  let trusted: (address: string, hop: number) => boolean = () => false;
  if (typeof trustProxy === 'number') {
    trusted = (_address, hop) => hop < trustProxy;
  } else if (Array.isArray(trustProxy)) {
    const list = new BlockList();
    for (const entry of trustProxy.flatMap((e) => NAMED_RANGES[e] ?? [e])) {
      const { address, prefix, family } = parseCidr(entry);
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, prefix, family);
    }
    trusted = (address) => {
      const version = isIP(address);
      return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
    };
  }
  return (req) => {
    const peer = normalise(req.socket?.remoteAddress ?? '');
    if (trustProxy === false) return peer;
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((a) => normalise(a.trim()))
      .filter(Boolean)
      .reverse();
    const chain = [peer, ...forwarded];
    let client = chain[0];
    for (let hop = 0; hop < chain.length - 1; hop++) {
      if (!trusted(chain[hop], hop)) break;
      client = chain[hop + 1];
    }
    return client;
  };
}
