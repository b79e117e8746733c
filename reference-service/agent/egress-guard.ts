import {
  lookup as dnsLookup,
  type LookupAddress,
  type LookupAllOptions,
  type LookupOneOptions,
} from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { InvalidConfigError } from '../../harness/errors.ts';

/**
 * Where the tools client may connect (OWASP API7, SSRF). The model never chooses a destination: it
 * names a tool, checked against a pattern, and the URL is the configured origin plus that name.
 * So the allow-list is exactly that origin: an http(s) URL whose address, checked again at every
 * connect (a DNS answer that changes after startup cannot move it), is not in a range no tools
 * service lives in: link-local (the cloud metadata service 169.254.169.254, fe80::/10, AWS's
 * fd00:ec2::254), unspecified, multicast, broadcast/reserved. Loopback and private ranges stay
 * allowed: the tools service runs next to the agent or inside its cluster. IPv4-mapped IPv6
 * addresses match the IPv4 rules (BlockList does that), and the WHATWG URL parser has already
 * turned decimal, octal and hex hosts (2852039166, 0251.0376.0251.0376) into dotted form.
 */
const neverAllowed = new BlockList();
neverAllowed.addSubnet('0.0.0.0', 8, 'ipv4');
neverAllowed.addSubnet('169.254.0.0', 16, 'ipv4');
neverAllowed.addSubnet('224.0.0.0', 4, 'ipv4');
neverAllowed.addSubnet('240.0.0.0', 4, 'ipv4');
neverAllowed.addAddress('::', 'ipv6');
neverAllowed.addSubnet('fe80::', 10, 'ipv6');
neverAllowed.addSubnet('ff00::', 8, 'ipv6');
neverAllowed.addAddress('fd00:ec2::254', 'ipv6');

/** True for an address the tools client must never connect to (and for anything that is not an IP). */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return neverAllowed.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Parses and checks `tools.baseUrl` once, at startup: the origin every tool call goes to. */
export function checkToolsOrigin(baseUrl: string): URL {
  const url = new URL(baseUrl);
  const problem =
    url.protocol !== 'http:' && url.protocol !== 'https:'
      ? `scheme "${url.protocol}" is not allowed; use http or https`
      : url.username || url.password
        ? 'credentials in the URL are not allowed'
        : isIP(url.hostname.replace(/^\[|\]$/g, '')) && isBlockedAddress(url.hostname.replace(/^\[|\]$/g, ''))
          ? `${url.hostname} is a link-local, multicast or unspecified address (e.g. cloud metadata), never a tools service`
          : null;
  if (problem) throw new InvalidConfigError('agent config', [{ path: 'tools.baseUrl', message: problem }]);
  return url;
}

export class EgressBlockedError extends Error {
  readonly code = 'EGRESS_BLOCKED';
  constructor(hostname: string, address: string) {
    super(`${hostname} resolves to ${address}, where the tools client may not connect`);
    this.name = 'EgressBlockedError';
  }
}

/** dns.lookup's shape with `all: true`; tests pass a fake resolver (DNS rebinding). */
export type Resolve = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A `lookup` for net.connect that refuses hostnames resolving to a blocked address. */
export function guardedLookup(resolve: Resolve = dnsLookup): LookupFunction {
  return (hostname, options: LookupOneOptions | LookupAllOptions, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const blocked = addresses.find((a) => isBlockedAddress(a.address));
      if (blocked || addresses.length === 0)
        return callback(new EgressBlockedError(hostname, blocked?.address ?? 'no address'), '', 0);
      if ((options as LookupAllOptions).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
