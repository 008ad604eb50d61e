import { hostname, networkInterfaces } from 'node:os';

/** Names that always mean "this machine over loopback". */
export const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

/** True for addresses we may bind without --allow-remote. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Brackets an IPv6 literal the way it appears in Host and Origin headers. */
function hostForm(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/**
 * Hostnames a request may name in its Host header. Loopback only, unless the server was told
 * to serve remote clients, in which case the bound host and this machine's names and addresses join.
 */
export function allowedHostnames(boundHost: string, allowRemote: boolean): Set<string> {
  const names = new Set<string>(LOOPBACK_HOSTNAMES);
  if (!allowRemote) return names;
  const wildcard = boundHost === '0.0.0.0' || boundHost === '::';
  if (!wildcard) names.add(hostForm(boundHost).toLowerCase());
  else {
    names.add(hostname().toLowerCase());
    for (const list of Object.values(networkInterfaces())) {
      for (const info of list ?? []) names.add(hostForm(info.address).toLowerCase());
    }
  }
  return names;
}

/** Splits a Host header value into hostname and port (undefined when absent). */
export function splitHost(value: string): { hostname: string; port?: number } | undefined {
  const match = value.toLowerCase().match(/^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/);
  if (!match) return undefined;
  return { hostname: match[1]!, port: match[2] === undefined ? undefined : Number(match[2]) };
}

/** The seed's CORS rule: http(s) origins on localhost, 127.0.0.1 or [::1], any port. */
export function isLocalOrigin(origin: string): boolean {
  return /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i.test(origin);
}
