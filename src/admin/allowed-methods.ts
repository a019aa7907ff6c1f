/**
 * The methods each known path answers, so that a request with another method is answered
 * 405 with an Allow header (RFC 9110 §15.5.6, §10.2.1) instead of 404: the path exists, the
 * method does not. Fastify's router answers both with its not-found handler; the table is
 * filled from its onRoute hook, so routes added anywhere in the app are known.
 */
import type { FastifyInstance } from 'fastify';

interface KnownPath {
  matcher: RegExp;
  methods: Set<string>;
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** `/v1/accounts/:msisdn/ledger` → a regular expression of its concrete paths. */
function matcherOf(url: string): RegExp {
  const segments = url.split('/').map((segment) => {
    if (segment === '*') return '.*';
    if (segment.startsWith(':')) return '[^/]+';
    return escape(segment);
  });
  return new RegExp(`^${segments.join('/')}/?$`);
}

export class AllowedMethods {
  private readonly paths = new Map<string, KnownPath>();

  /** Records every route added to `app` and its children from now on. */
  track(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const known = this.paths.get(route.url) ?? { matcher: matcherOf(route.url), methods: new Set() };
      for (const method of [route.method].flat()) known.methods.add(method.toUpperCase());
      this.paths.set(route.url, known);
    });
  }

  /** The methods of the path of `url` (its query left out), sorted; none: the path is unknown. */
  of(url: string): string[] {
    const path = url.split('?', 1)[0] ?? '';
    const methods = new Set<string>();
    for (const known of this.paths.values()) {
      if (known.matcher.test(path)) for (const m of known.methods) methods.add(m);
    }
    return [...methods].sort();
  }
}
