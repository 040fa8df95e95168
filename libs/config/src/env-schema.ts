import { isIP } from 'node:net';
import os from 'node:os';
import { z } from 'zod';
import { COMPUTE_EXECUTION_MODELS } from '@switchyard/contracts';

const LANE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const laneList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((lane) => lane.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(LANE_NAME, 'a lane name is lower-case letters, digits and dashes'))
      .min(1, 'name at least one lane'),
  );

const hostList = z.string().transform((value) =>
  value
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean),
);

/** `host` or `host:port`; an IPv6 literal in brackets (`[::1]:8080`). No scheme, path or credentials. */
const HOST_PORT_ENTRY = /^(\[[0-9a-f:.]+\]|[^\s/?#@\\:[\]]+)(?::(\d{1,5}))?$/;

/**
 * `HTTP_ALLOWED_HOSTS` entries as `{ host, port }`: host in the WHATWG URL parser's canonical form (lower
 * case, punycode, IPv4 in dotted decimal, IPv6 compressed in brackets) so it compares equal to the
 * `hostname` of any spelling of the same URL; port undefined when the entry names none.
 */
const allowedHostList = hostList.pipe(
  z.array(
    z.string().transform((entry, context) => {
      const match = HOST_PORT_ENTRY.exec(entry);
      const port = match?.[2] === undefined ? undefined : Number(match[2]);
      let host: string | undefined;
      try {
        if (match) host = new URL(`http://${match[1]}/`).hostname;
      } catch {
        host = undefined;
      }
      if (!host || (port !== undefined && (port < 1 || port > 65_535))) {
        context.addIssue({
          code: 'custom',
          message: `"${entry}" is not host[:port] (a name or IP, an IPv6 literal in brackets, a port 1-65535)`,
        });
        return z.NEVER;
      }
      return { host, port };
    }),
  ),
);

/** `HTTP_ALLOWED_CIDRS` entries as `{ address, prefix, family }`; a bare address is a single-host range. */
const cidrList = hostList.pipe(
  z.array(
    z.string().transform((entry, context) => {
      const [address = '', prefixText, ...rest] = entry.split('/');
      const version = isIP(address);
      const bits = version === 6 ? 128 : 32;
      const prefix = prefixText === undefined ? bits : Number(prefixText);
      const badPrefix = prefixText !== undefined && !/^\d{1,3}$/.test(prefixText);
      // A zone id (fe80::1%eth0) names an interface, not a range.
      if (version === 0 || address.includes('%') || rest.length > 0 || badPrefix || prefix > bits) {
        context.addIssue({
          code: 'custom',
          message: `"${entry}" is not a CIDR range such as 10.0.0.0/8, 127.0.0.1/32 or fd00::/8`,
        });
        return z.NEVER;
      }
      return { address, prefix, family: version === 6 ? ('ipv6' as const) : ('ipv4' as const) };
    }),
  ),
);

/** Header names (RFC 9110 tokens), lower case. */
const headerNameList = hostList.pipe(
  z.array(
    z.string().regex(/^[!#$%&'*+.^_`|~0-9a-z-]+$/, "a header name is letters, digits and -!#$%&'*+.^_`|~"),
  ),
);

/**
 * Every environment variable Switchyard reads, with its default. The README's configuration table
 * is this list; `loadConfig` refuses to start on a bad value and names the variable.
 */
export const envSchema = z.object({
  /**
   * Redis for the queues: one URL, or with REDIS_MODE=cluster the seed nodes of a Redis Cluster as
   * comma-separated URLs (`redis://` or `rediss://`; credentials from any of them apply to every node).
   * @defaultValue redis://127.0.0.1:6379
   */
  REDIS_URL: z
    .string()
    .refine(
      (value) => value.split(',').every((entry) => URL.canParse(entry.trim())),
      'one URL, or comma-separated URLs (the seed nodes) with REDIS_MODE=cluster',
    )
    .default('redis://127.0.0.1:6379'),
  /**
   * `standalone`: REDIS_URL is one Redis. `cluster`: a Redis Cluster (or Valkey cluster), each lane's
   * keys in one hash slot so lanes spread over its shards (docs/redis-cluster.md). @defaultValue standalone
   */
  REDIS_MODE: z.enum(['standalone', 'cluster']).default('standalone'),
  /**
   * Lanes that have a Redis of their own, as `lane=url` entries, comma-separated
   * (`cpu=redis://:pw@redis-cpu:6379`): that lane's jobs and BullMQ keys live there, everything else
   * (the job index, quotas, idempotency, cancels) stays on REDIS_URL. Each URL is one standalone Redis
   * with its own credentials (REDIS_PASSWORD_FILE applies to REDIS_URL only). @defaultValue none
   */
  LANE_REDIS_URLS: z
    .string()
    .transform((value, context) => {
      const entries: Record<string, string> = {};
      for (const entry of value
        .split(',')
        .map((text) => text.trim())
        .filter(Boolean)) {
        const [lane = '', ...rest] = entry.split('=');
        const url = rest.join('=');
        if (!LANE_NAME.test(lane) || !URL.canParse(url) || lane in entries) {
          context.addIssue({ code: 'custom', message: `"${entry}" is not lane=url (each lane once)` });
          return z.NEVER;
        }
        entries[lane] = url;
      }
      return entries;
    })
    .default({}),
  /**
   * File holding the Redis password (a mounted Secret; one trailing newline is ignored). `loadConfig` puts it
   * into REDIS_URL, so the password stays out of the environment and argv. Unset: REDIS_URL's own.
   */
  REDIS_PASSWORD_FILE: z.string().min(1).optional(),
  /** Prefix of every Redis key Switchyard and BullMQ write. @defaultValue switchyard */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only')
    .default('switchyard'),
  /** The api's HTTP port. @defaultValue 3000 */
  PORT: integer(1, 65535).default(3000),
  /** Interface the HTTP ports bind to. @defaultValue 0.0.0.0 */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** The consumers' health/metrics port (io-consumer 3001, compute 3002 when unset). */
  HEALTH_PORT: integer(0, 65535).optional(),
  /** Every lane the api may route to. @defaultValue io,cpu */
  LANES: laneList.default(['io', 'cpu']),
  /** The lane a job of profile `io` goes to when it names none. @defaultValue io */
  IO_LANE: z.string().regex(LANE_NAME).default('io'),
  /** The lane a job of profile `cpu` goes to when it names none. @defaultValue cpu */
  CPU_LANE: z.string().regex(LANE_NAME).default('cpu'),
  /** The lane this consumer serves (io-consumer: io, compute: cpu when unset). */
  LANE: z.string().regex(LANE_NAME).optional(),
  /** How many io jobs one io-consumer interleaves on its event loop. @defaultValue 256 */
  IO_CONCURRENCY: integer(1, 10_000).default(256),
  /** How compute runs a job. @defaultValue worker-threads */
  EXECUTION_MODEL: z.enum(COMPUTE_EXECUTION_MODELS).default('worker-threads'),
  /** Threads or child processes in compute's pool; also its worker concurrency. @defaultValue os.availableParallelism() */
  POOL_SIZE: integer(1, 256).default(os.availableParallelism()),
  /**
   * Heap limit of each worker thread or child process in compute's pool, in MiB: a task that exhausts it
   * ends its worker (the job fails), not the consumer. Unset: Node's default for the machine.
   */
  WORKER_MAX_HEAP_MB: integer(16, 65_536).optional(),
  /** Upper bound on any job's timeout, whatever the job or task asks. @defaultValue 600000 */
  JOB_TIMEOUT_MAX_MS: integer(100, 86_400_000).default(600_000),
  /**
   * How long completed jobs (and their results) are kept; the api's periodic clean (every 60 s) removes
   * them, so a job may outlive this by up to a minute. @defaultValue 86400
   */
  COMPLETED_RETENTION_SECONDS: integer(0, 31_536_000).default(86_400),
  /** At most this many completed jobs are kept per lane. @defaultValue 5000 */
  COMPLETED_RETENTION_COUNT: integer(0, 10_000_000).default(5_000),
  /** How long failed and cancelled jobs are kept (removed by the same periodic clean). @defaultValue 604800 */
  FAILED_RETENTION_SECONDS: integer(0, 31_536_000).default(604_800),
  /** At most this many failed and cancelled jobs are kept per lane. @defaultValue 2000 */
  FAILED_RETENTION_COUNT: integer(0, 10_000_000).default(2_000),
  /**
   * `host[:port]` entries `io.http` may call (exact host match, comma-separated; the port defaults to 80
   * for http and 443 for https). Empty: none. @defaultValue (empty)
   */
  HTTP_ALLOWED_HOSTS: allowedHostList.default([]),
  /**
   * CIDR ranges `io.http` may connect to although they are private, loopback, link-local… (comma-separated,
   * e.g. `10.0.0.0/8,127.0.0.1/32`). Empty: every such range is refused. @defaultValue (empty)
   */
  HTTP_ALLOWED_CIDRS: cidrList.default([]),
  /**
   * More `io.http` request header names shown as "[redacted]" in job views, logs and traces, besides
   * authorization, cookie, proxy-authorization and x-api-key (comma-separated). @defaultValue (empty)
   */
  HTTP_REDACT_HEADERS: headerNameList.default([]),
  /**
   * Registers the diagnostic tasks (`diag.crash`, `diag.spin`) used by tests and the scaling lab.
   * Keep off in production: they exist to crash and burn CPU. @defaultValue false
   */
  DIAGNOSTIC_TASKS: z.stringbool({ truthy: ['true'], falsy: ['false'] }).default(false),
  /** How long a consumer waits for active jobs at shutdown before aborting them. @defaultValue 25000 */
  DRAIN_TIMEOUT_MS: integer(0, 3_600_000).default(25_000),
  /** Base URL of the Jaeger UI; when set, job views link to their trace. */
  JAEGER_UI_URL: z.string().url().optional(),
  /**
   * `keys`: every request but /healthz and /readyz needs `Authorization: Bearer <key>` from API_KEYS or
   * API_KEYS_FILE, and the api refuses to start without keys. `none`: no authentication (local use only;
   * a warning is logged at start). @defaultValue keys
   */
  AUTH: z.enum(['keys', 'none']).default('keys'),
  /**
   * API keys: entries separated by commas or newlines, each `<tenant>:<scopes>:<sha256 hex of the key>`,
   * scopes joined by `+` among jobs:write, jobs:read, jobs:cancel, admin. Create one with
   * `switchyard keys create`.
   */
  API_KEYS: z.string().optional(),
  /** A file holding API_KEYS entries (a mounted Secret); read at start, added to API_KEYS. */
  API_KEYS_FILE: z.string().min(1).optional(),
  /** The api's admin port (`/metrics`, `/docs`, `/docs-json` without a key); unset: admin scope on PORT only. */
  ADMIN_PORT: integer(1, 65535).optional(),
  /** Requests per window per API key (or per client address without one), across api replicas: `<requests>/<seconds>` or `off`. @defaultValue 6000/60 */
  RATE_LIMIT: z
    .string()
    .regex(/^(off|[1-9][0-9]{0,8}\/[1-9][0-9]{0,5})$/, 'write <requests>/<seconds>, e.g. 600/60, or off')
    .default('6000/60'),
  /** Jobs of one tenant not yet finished (waiting, delayed or active); past it: 429. @defaultValue 5000 */
  TENANT_MAX_PENDING_JOBS: integer(1, 10_000_000).default(5_000),
  /**
   * Job event streams (`GET /v1/jobs/:id/events`) and waiting reads (`?waitMs=`) one api process holds
   * at once; past it they get 503 with Retry-After. Each costs a socket and a little memory, no Redis
   * connection: the lanes' event readers are shared. @defaultValue 1000
   */
  JOB_WATCHES_MAX: integer(1, 1_000_000).default(1_000),
  /** Jobs waiting or delayed in one lane; past it: 429. @defaultValue 10000 */
  LANE_MAX_DEPTH: integer(1, 10_000_000).default(10_000),
  /** Longest `delayMs` a job may ask for. @defaultValue 604800000 (7 days) */
  JOB_DELAY_MAX_MS: integer(0, 31_536_000_000).default(604_800_000),
  /** Largest job payload, as JSON bytes. @defaultValue 16384 */
  JOB_PAYLOAD_MAX_BYTES: integer(2, 1_048_576).default(16_384),
  /** A failed job's stored error (message and stack) is cut to this many characters. @defaultValue 2048 */
  JOB_ERROR_MAX_CHARS: integer(64, 1_048_576).default(2_048),
  /**
   * Lets any client move a task onto a profile it does not declare (e.g. a CPU task onto the io lane).
   * Keys with the admin scope may always. The scaling lab's misrouting experiment sets it. @defaultValue false
   */
  ALLOW_PROFILE_OVERRIDE: z.stringbool({ truthy: ['true'], falsy: ['false'] }).default(false),
  /**
   * `profile: "auto"` sends a task to a cpu lane once its measured CPU/wall ratio (decaying average of
   * cpuMs/runMs over its attempts) rises above this, and back to the io lane only when it falls below
   * AUTO_ROUTING_CPU_LOW: the gap is the hysteresis that keeps a task near the threshold from flapping.
   * A task without a decision yet goes to cpu at or above the midpoint (0.1 with the defaults). Low on
   * purpose: io tasks measure about 0.01, while a CPU task measures its share of a core, 1 on an idle
   * machine but about 1/k when k runnable threads share each core (0.24–0.35 on a 2-core machine at load
   * 8.7–11.5, while io.sleep measured 0.008).
   * Read by the consumers, which decide each task's profile when they write its average. @defaultValue 0.15
   */
  AUTO_ROUTING_CPU_HIGH: z.coerce.number().gt(0).max(1).default(0.15),
  /** See AUTO_ROUTING_CPU_HIGH; must be below it. @defaultValue 0.05 */
  AUTO_ROUTING_CPU_LOW: z.coerce.number().min(0).lt(1).default(0.05),
  /**
   * Measured attempts a task needs before `auto` routes it by its ratio; until then its declared default
   * profile. Read by the api. @defaultValue 20
   */
  AUTO_ROUTING_MIN_SAMPLES: integer(1, 1_000_000).default(20),
  /** A request must be received whole within this time (slow bodies are cut off). @defaultValue 30000 */
  HTTP_REQUEST_TIMEOUT_MS: integer(1_000, 600_000).default(30_000),
  /** Origins allowed by CORS (comma-separated); empty: CORS off. @defaultValue (empty) */
  CORS_ORIGINS: hostList.default([]),
  /** pino log level. @defaultValue info */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type SwitchyardConfig = z.infer<typeof envSchema>;
