import * as z from 'zod';
import { logLevel } from '../log/logger.js';
import { duration, filePath, listenAddress } from './fields.js';

// The agent's own configuration sections (server, kubernetes, metrics, log,
// enable, shutdownTimeout): keys, types, defaults, validation and
// descriptions. Components bring their sections in their definitions;
// schema.ts joins them. docs/configuration.md is generated from both.

const tls = z
  .strictObject({
    certFile: filePath({ description: 'PEM certificate (chain) served to clients.' }),
    keyFile: filePath({ description: 'PEM private key of certFile.' }),
    clientCAFile: filePath({
      description: 'PEM CA bundle; when set, /metrics requires a client certificate signed by it.',
    }).optional(),
  })
  .meta({ description: 'Serve every endpoint over HTTPS.' });

const basicAuth = z
  .strictObject({
    username: z.string().min(1, 'must not be empty').meta({ description: 'User name scrapers must present.' }),
    passwordFile: filePath({ description: 'File holding the password (trailing newline ignored).' }),
  })
  .meta({ description: 'Require HTTP basic auth on /metrics (probe endpoints stay open for the kubelet).' });

export const coreSections = {
  server: z
    .strictObject({
      listen: listenAddress(':9090', {
        description: 'Address of the one HTTP server (/metrics, /health, /ready).',
      }),
      tls: tls.optional(),
      basicAuth: basicAuth.optional(),
      reload: z
        .strictObject({
          http: z
            .boolean()
            .default(false)
            .meta({ description: 'Serve POST /-/reload (behind the server\'s TLS and basic auth): the same as SIGHUP.' }),
          watch: z
            .boolean()
            .default(false)
            .meta({ description: 'Reload when the configuration file changes (checked every watchInterval; follows a ConfigMap\'s symlink swap).' }),
          watchInterval: duration('5s', { description: 'How often the watched configuration file is checked.' }),
        })
        .prefault({})
        .meta({ description: 'Configuration reload without restart (SIGHUP always works; see docs/operations.md).' }),
    })
    .prefault({})
    .meta({ description: 'The HTTP server.' }),
  kubernetes: z
    .strictObject({
      kubeconfig: filePath({
        description: 'kubeconfig file. Unset: in-cluster credentials when running in a pod, else $KUBECONFIG, else no Kubernetes metadata.',
      }).optional(),
      nodeName: z
        .string()
        .min(1, 'must not be empty')
        .optional()
        .meta({ description: "This agent's node; per-node components read only this node's pods." }),
      watchOwners: z
        .boolean()
        .default(true)
        .meta({
          description:
            'Watch ReplicaSets and Jobs (metadata only) to resolve Deployments and CronJobs. false: no such watch; a Deployment is derived from the pod-template-hash and a Job stays a Job.',
        }),
      enrichFlows: z
        .union([z.literal('auto'), z.boolean()])
        .default('auto')
        .meta({
          description:
            'Add Kubernetes metadata (pod, workload, node) to flow records before the sinks. auto: for flow sources whose records carry IP addresses, when a Kubernetes API is configured; true: for every flow source (Goldmane: the workload of each pod set; needs a Kubernetes API); false: never.',
        }),
    })
    .prefault({})
    .meta({ description: 'The Kubernetes metadata cache shared by every component (see docs/kubernetes-cache.md).' }),
  metrics: z
    .strictObject({
      maxSeriesPerMetric: z
        .int()
        .min(1)
        .max(10_000_000)
        .default(10_000)
        .meta({ description: 'Series budget of every metric family; new label sets beyond it fold into one overflow series.' }),
      seriesTtl: duration('10m', {
        description: 'Series not updated for this long are removed (0s keeps them forever).',
      }),
      flows: z
        .boolean()
        .default(true)
        .meta({ description: 'Prometheus flow metrics (calico_flow_*, flowlens_flow_*, flowlens_policy_hits_total) while a flow source runs.' }),
      families: z
        .record(
          z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'is not a metric name'),
          z
            .strictObject({
              maxSeries: z.int().min(1).max(10_000_000).meta({ description: 'Series budget of this family (instead of maxSeriesPerMetric).' }),
            })
            .meta({ description: 'One family, by its name (e.g. calico_flow_allow).' }),
        )
        .default({})
        .meta({ description: 'Per-family settings, by family name (see docs/metrics.md).' }),
    })
    .prefault({})
    .meta({ description: 'The metrics pipeline shared by every component.' }),
  log: z
    .strictObject({
      level: logLevel.prefault('info').meta({
        description: 'trace, debug, info, warn (or warning), error, fatal (or panic), silent.',
      }),
    })
    .prefault({})
    .meta({ description: "flowlens' own logs (JSON lines on stderr)." }),
  enable: z
    .array(z.string())
    .default([])
    .meta({ description: 'Components to run even without a section of their own (see "Enabling components").' }),
  shutdownTimeout: duration('10s', {
    description: 'How long SIGTERM/SIGINT waits for components to stop and flush.',
  }),
};

export type CoreConfig = z.output<z.ZodObject<typeof coreSections>>;

/** The effective configuration: core sections typed, component sections by name. */
export type Config = CoreConfig & { readonly [component: string]: unknown };
