/**
 * Where alerts may be posted. An alert names people and apps and its URL often embeds a
 * token, so it travels over TLS; plain http is accepted only to this machine (a local relay or
 * a test receiver), where nothing crosses a network.
 */

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Why `url` is not an acceptable alert webhook, or undefined. Never repeats the URL (it may hold a token). */
export function alertWebhookUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL; use https://host/path (or an env:NAME / file:/path reference holding one)';
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.test(parsed.hostname)) return undefined;
  return `must be an https: URL (plain http only to loopback), not ${parsed.protocol}//${parsed.hostname}; alerts carry tokens and names`;
}
