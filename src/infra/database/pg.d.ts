// pg (the driver under MikroORM) ships no types and @types/pg is not installed: this declares
// only what the start-up check (preflight.ts) and the fault tests use.
declare module 'pg' {
  export interface ClientConfig {
    connectionString: string;
    connectionTimeoutMillis?: number;
  }
  export class Client {
    constructor(config: ClientConfig);
    connect(): Promise<void>;
    query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
    end(): Promise<void>;
    on(event: 'error', listener: (error: Error) => void): this;
  }
}
