/**
 * The mutable state of one server instance and the run-time controls of its handle: store,
 * profile, fault planner, rate limiter, request log and counters.
 */
import type { ServerState } from './context';
import { FaultPlanner } from './faults/planner';
import { RateMeter, bucketFor, type TokenBucket } from './faults/rate-limit';
import type { FaultOptions } from './faults/types';
import { TokenIssuer } from './http/oauth';
import { resolveProfile, type QuirkProfileInput, type QuirkProfileName } from './quirks';
import { renderResource, type RenderContext } from './resources/render';
import { ResourceStore, type StoredResource } from './resources/store';
import { attributesFromBody } from './resources/write';
import type { ResourceTypeDef } from './schema/definitions';
import type { RecordedRequest, ScimServerOptions, ScimServerStats } from './types';

type Json = Record<string, unknown>;

/** Cancellable timers, so stopping leaves nothing behind (latency, finite hangs). */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.add(timer);
    });

  cancelAll(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}

/** A rate limit in force: its bucket and the methods it applies to (all when absent). */
export interface Limiter {
  bucket: TokenBucket;
  methods?: string[];
}

export class ServerRuntime {
  readonly state: ServerState;
  readonly planner: FaultPlanner;
  readonly requests: RecordedRequest[] = [];
  readonly counters = { requests: 0, rateLimited: 0, faults: {} as Record<string, number> };
  readonly meter = new RateMeter();
  readonly timers = new Timers();
  readonly issuer: TokenIssuer | undefined;
  limiter: Limiter | undefined;

  constructor(private readonly options: ScimServerOptions) {
    this.state = {
      store: new ResourceStore(),
      profile: resolveProfile(options.profile),
      baseUrl: '',
      maxPageSize: options.maxPageSize ?? 100,
    };
    this.planner = new FaultPlanner(options.seed ?? Math.floor(Math.random() * 2 ** 32));
    this.planner.configure(options.faults ?? {});
    this.issuer = options.auth?.oauth2 ? new TokenIssuer(options.auth.oauth2) : undefined;
    this.limiter = this.limiterFor();
  }

  /** The server options' limit wins over the profile's; `null` means none. */
  private limiterFor(): Limiter | undefined {
    const limit = this.options.rateLimit === undefined ? this.state.profile.rateLimit : this.options.rateLimit;
    return limit ? { bucket: bucketFor(limit), methods: limit.methods } : undefined;
  }

  renderContext(): RenderContext {
    return { store: this.state.store, baseUrl: this.state.baseUrl, omitLocation: this.state.profile.omitLocation };
  }

  render(resource: StoredResource): Json {
    return renderResource(resource, this.renderContext());
  }

  /** Inserts a pre-existing resource, validated like a POST; `schemas` may be omitted and `id` chosen. */
  seed(type: ResourceTypeDef, input: Json): Json {
    const { id, schemas, ...rest } = input;
    const body = { schemas: Array.isArray(schemas) ? schemas : [type.schema.id], ...rest };
    const data = attributesFromBody(type, body, this.state.profile);
    return this.render(
      this.state.store.create(type.name, data, this.state.profile, typeof id === 'string' ? id : undefined),
    );
  }

  setFaults(faults: FaultOptions): void {
    this.planner.configure(faults);
  }

  setProfile(profile: QuirkProfileName | QuirkProfileInput): void {
    this.state.profile = resolveProfile(profile);
    this.limiter = this.limiterFor();
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Empties store, records and statistics; restarts the seeded sequence, the rate limit and the token list. */
  reset(): void {
    this.state.store.clear();
    this.requests.length = 0;
    this.counters.requests = 0;
    this.counters.rateLimited = 0;
    this.counters.faults = {};
    this.meter.reset();
    this.planner.restart();
    this.issuer?.clear();
    this.limiter = this.limiterFor();
  }

  stats(): ScimServerStats {
    return {
      requests: this.counters.requests,
      rateLimited: this.counters.rateLimited,
      maxObservedRatePerSecond: this.meter.max,
      faultsInjected: { ...this.counters.faults },
    };
  }
}
