import type { Platform, ProcessInfo, ServiceStartType, ServiceState, ServiceStatus } from '../../../src/platform/platform';

/**
 * A scripted service for unit tests of the decision logic: every control is
 * recorded, and each query answers from a per-host script. The real
 * behaviour is covered against the simulated host in test/integration/service.
 */
export class FakePlatform implements Platform {
  readonly kind = 'Simulated' as const;
  readonly calls: string[] = [];
  readonly states = new Map<string, ServiceState>();
  readonly startTypes = new Map<string, ServiceStartType>();
  /** What the service does after a control: the states it will report on later queries. */
  readonly afterStop = new Map<string, ServiceState[]>();
  readonly afterStart = new Map<string, ServiceState[]>();
  private readonly queued = new Map<string, ServiceState[]>();
  readonly workflows = new Map<string, ProcessInfo[]>();
  /** Queries that throw before answering, per host. */
  readonly queryErrors = new Map<string, Error[]>();

  constructor(private readonly name = 'LOCAL') {}

  private key(host?: string): string {
    return host ?? this.name;
  }

  /** States the next queries report, one per query. */
  script(host: string | undefined, states: ServiceState[]): this {
    this.queued.set(this.key(host), [...states]);
    return this;
  }

  /** Runs before each control is applied (e.g. to inspect the state marker at that moment). */
  onControl: ((call: string) => void) | undefined;

  set(host: string | undefined, state: ServiceState, startType: ServiceStartType = 'Automatic'): this {
    this.states.set(this.key(host), state);
    this.startTypes.set(this.key(host), startType);
    return this;
  }

  readonly services = {
    query: async (_svc: string, host?: string): Promise<ServiceStatus> => {
      const k = this.key(host);
      this.calls.push(`query ${k}`);
      const err = this.queryErrors.get(k)?.shift();
      if (err) throw err;
      const q = this.queued.get(k);
      if (q && q.length > 0) this.states.set(k, q.shift()!);
      return { state: this.states.get(k) ?? 'NotFound', startType: this.startTypes.get(k) ?? 'Unknown' };
    },
    stop: async (_svc: string, host?: string): Promise<void> => {
      const k = this.key(host);
      this.calls.push(`stop ${k}`);
      this.onControl?.(`stop ${k}`);
      this.queued.set(k, [...(this.afterStop.get(k) ?? ['StopPending', 'Stopped'])]);
    },
    start: async (_svc: string, host?: string): Promise<void> => {
      const k = this.key(host);
      this.calls.push(`start ${k}`);
      this.onControl?.(`start ${k}`);
      this.queued.set(k, [...(this.afterStart.get(k) ?? ['StartPending', 'Running'])]);
    },
    logOnAccount: async (): Promise<string | undefined> => 'LocalSystem',
  };

  readonly processes = {
    find: async (_name: string, host?: string): Promise<ProcessInfo[]> => {
      this.calls.push(`find ${this.key(host)}`);
      return [...(this.workflows.get(this.key(host)) ?? [])];
    },
    kill: async (pid: number, host?: string): Promise<void> => {
      const k = this.key(host);
      this.calls.push(`kill ${k} ${pid}`);
      this.workflows.set(k, (this.workflows.get(k) ?? []).filter((p) => p.pid !== pid));
    },
  };

  alteryxServiceExecutable(): string {
    return 'AlteryxService';
  }
  hostname(): string {
    return this.name;
  }
  osVersion(): string {
    return 'test';
  }
  currentUser(): string {
    return 'test';
  }
  async freeBytes(): Promise<number> {
    return 1e12;
  }

  controls(): string[] {
    return this.calls.filter((c) => !c.startsWith('query') && !c.startsWith('find'));
  }
}
