// autocannon ships no types and @types/autocannon is not installed: this declares only the part of
// its programmatic API that the benches use (promise form, no callback).
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
      headers?: Record<string, string>;
      body?: string;
      connections?: number;
      pipelining?: number;
      /** Seconds. */
      duration?: number;
      /** Seconds before a request counts as a timeout. */
      timeout?: number;
      /** Called once per connection; `setBody` gives that connection its own body. */
      setupClient?: (client: Client) => void;
      /** A falsy answer counts the response in `mismatches`. */
      verifyBody?: (body: string) => boolean;
    }

    interface Client {
      setBody(body: string): void;
      setHeaders(headers: Record<string, string>): void;
    }

    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p99: number;
    }

    interface Result {
      /** Seconds. */
      duration: number;
      /** Requests completed per second, sampled once a second. */
      requests: Histogram;
      /** Milliseconds. */
      latency: Histogram;
      /** Bytes per second, sampled once a second. */
      throughput: Histogram;
      errors: number;
      timeouts: number;
      non2xx: number;
      resets: number;
      mismatches?: number;
    }
  }

  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
