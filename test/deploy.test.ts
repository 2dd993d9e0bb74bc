import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { componentDefinitions } from '../src/registry.js';
import { loadConfig } from '../src/config/load.js';
import { preflight } from '../src/preflight.js';
import { makeCerts } from './support/certs.js';
import { CLI } from './support/cli-process.js';
import { kubeconfigFile } from './support/kube-fixtures.js';
import { toolSkip } from './support/tools.js';
import { tempDir } from './support/temp.js';

// deploy/kubernetes rendered by `kubectl kustomize` (Debian's kubernetes-client,
// installed by .ci/run; its kustomize is old, so the manifests use nothing newer
// than bases and generators), with the invariants checked on every object.

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = new URL('../../deploy/kubernetes/', import.meta.url).pathname;
const skip = toolSkip('kubectl');

function render(dir: string): Json[] {
  const result = spawnSync('kubectl', ['kustomize', join(ROOT, dir)], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as Json).filter((object) => object !== null);
}

/** The API group of each kind the Kubernetes cache can read. */
const API_GROUPS: Record<string, string> = {
  pods: '',
  services: '',
  nodes: '',
  endpointslices: 'discovery.k8s.io',
  replicasets: 'apps',
  jobs: 'batch',
  networkpolicies: 'networking.k8s.io',
  adminnetworkpolicies: 'policy.networking.k8s.io',
  baselineadminnetworkpolicies: 'policy.networking.k8s.io',
};

const workloads = (objects: Json[]): Json[] => objects.filter((object) => object.kind === 'DaemonSet' || object.kind === 'Deployment');

describe('deploy/kubernetes rendered with kubectl kustomize', { skip }, () => {
  const all = skip ? [] : render('.');

  test('every part renders; both parts together hold each object once, namespaced objects in monitoring', () => {
    const node = render('node');
    const cluster = render('cluster');
    assert.deepEqual(workloads(node).map((object) => object.kind), ['DaemonSet']);
    assert.deepEqual(workloads(cluster).map((object) => object.kind), ['Deployment']);
    const ids = all.map((object) => `${object.kind}/${object.metadata.name}`);
    assert.equal(new Set(ids).size, ids.length, ids.join(' '));
    for (const object of [...all, ...node, ...cluster, ...render('optional/servicemonitor'), ...render('optional/networkpolicy'), ...render('optional/node-metrics-tls'), ...render('optional/collector')]) {
      if (['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(object.kind)) continue;
      assert.equal(object.metadata.namespace, 'monitoring', `${object.kind}/${object.metadata.name}`);
    }
  });

  test('RBAC: each workload may only list and watch what its own configuration makes the cache read; one without Kubernetes needs mounts no token', async () => {
    const files = tempDir('deploy-rbac');
    const kubeconfig = kubeconfigFile(files, 'https://10.96.0.1:443');
    for (const workload of workloads(all)) {
      const pod = workload.spec.template.spec;
      const configMap = all.find((object) => object.kind === 'ConfigMap' && object.metadata.name === (pod.volumes as Json[]).find((volume) => volume.configMap)!.configMap.name)!;
      // The configuration's files (certificates) stand in as empty files here.
      const text = (configMap.data['config.yaml'] as string).replace(/\/etc\/goldmane\//g, `${files}/`);
      for (const name of ['ca.crt', 'tls.crt', 'tls.key']) writeFileSync(join(files, name), '');
      writeFileSync(join(files, 'config.yaml'), text);
      const env: NodeJS.ProcessEnv = { KUBECONFIG: kubeconfig };
      for (const variable of (pod.containers[0].env ?? []) as Json[]) env[variable.name] = variable.value ?? 'from-the-downward-api';
      const loaded = loadConfig({ configFile: join(files, 'config.yaml'), env, definitions: componentDefinitions });
      const { kinds } = await preflight(loaded.config, loaded.enabled, env);
      const account = pod.serviceAccountName as string;
      const bindings = all.filter((object) => object.kind === 'ClusterRoleBinding' && (object.subjects as Json[]).some((subject) => subject.name === account));
      const granted: Record<string, string[]> = {};
      for (const binding of bindings) {
        const role = all.find((object) => object.kind === 'ClusterRole' && object.metadata.name === binding.roleRef.name)!;
        for (const rule of role.rules as Json[]) {
          assert.deepEqual([...rule.verbs].sort(), ['list', 'watch'], `${role.metadata.name}: list and watch only (the cache never gets single objects)`);
          for (const group of rule.apiGroups as string[]) granted[group] = [...(granted[group] ?? []), ...(rule.resources as string[])].sort();
        }
      }
      const needed: Record<string, string[]> = {};
      for (const kind of kinds) needed[API_GROUPS[kind]!] = [...(needed[API_GROUPS[kind]!] ?? []), kind].sort();
      assert.deepEqual(granted, needed, `${workload.kind}: what its configuration reads (${kinds.join(', ') || 'nothing'})`);
      const serviceAccount = all.find((object) => object.kind === 'ServiceAccount' && object.metadata.name === account)!;
      const mounted = pod.automountServiceAccountToken ?? serviceAccount.automountServiceAccountToken ?? true;
      assert.equal(mounted, kinds.length > 0, `${workload.kind}: a token only when it talks to Kubernetes`);
    }
  });

  test('security: read-only root, no privilege escalation, capabilities dropped; NET_ADMIN only on the DaemonSet; the Deployment non-root', () => {
    for (const workload of workloads(all)) {
      const pod = workload.spec.template.spec;
      for (const container of pod.containers as Json[]) {
        const context = container.securityContext ?? {};
        const name = `${workload.kind} ${container.name}`;
        assert.equal(context.readOnlyRootFilesystem, true, name);
        assert.equal(context.allowPrivilegeEscalation, false, name);
        assert.ok(context.privileged !== true, name);
        assert.deepEqual(context.capabilities?.drop, ['ALL'], name);
        const added = context.capabilities?.add ?? [];
        if (workload.kind === 'DaemonSet') assert.deepEqual(added, ['NET_ADMIN'], name);
        else {
          assert.deepEqual(added, [], name);
          assert.equal(context.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, true, name);
          assert.notEqual(context.runAsUser ?? pod.securityContext?.runAsUser, 0, name);
        }
      }
    }
  });

  test('resources, probes on /health and /ready, the Downward API identity, a dedicated Goldmane client certificate', () => {
    for (const workload of workloads(all)) {
      for (const container of workload.spec.template.spec.containers as Json[]) {
        for (const kind of ['requests', 'limits']) {
          assert.ok(container.resources?.[kind]?.cpu && container.resources?.[kind]?.memory, `${workload.kind} ${kind}`);
        }
        assert.equal(container.readinessProbe?.httpGet?.path, '/ready');
        assert.equal(container.livenessProbe?.httpGet?.path, '/health');
        // The heap ceiling is explicit (Node sizes it from the cgroup otherwise) and leaves room
        // below the memory limit for buffers and the runtime.
        const heap = /--max-old-space-size=(\d+)/.exec((container.env as Json[]).find((entry) => entry.name === 'NODE_OPTIONS')?.value ?? '');
        const limitMi = /^(\d+)Mi$/.exec(container.resources.limits.memory);
        assert.ok(heap && limitMi, `${workload.kind}: NODE_OPTIONS --max-old-space-size and a limit in Mi`);
        assert.ok(Number(heap[1]) <= Number(limitMi[1]) * 0.75, `${workload.kind}: heap ${heap[1]} MiB within 3/4 of ${limitMi[1]} Mi`);
      }
    }
    const daemonSet = all.find((object) => object.kind === 'DaemonSet')!;
    const env = Object.fromEntries((daemonSet.spec.template.spec.containers[0].env as Json[]).map((entry) => [entry.name, entry]));
    assert.equal(env.NODE_NAME?.valueFrom?.fieldRef?.fieldPath, 'spec.nodeName');
    assert.equal(env.POD_IP?.valueFrom?.fieldRef?.fieldPath, 'status.podIP');
    assert.equal(daemonSet.spec.template.spec.hostNetwork, true);
    const deployment = all.find((object) => object.kind === 'Deployment')!;
    const secrets = (deployment.spec.template.spec.volumes as Json[]).filter((volume) => volume.secret).map((volume) => volume.secret.secretName);
    assert.deepEqual(secrets, ['flowlens-goldmane-client']);
    assert.ok(!JSON.stringify(all).includes('goldmane-key-pair'), "never Goldmane's own key pair");
  });

  test('the ConfigMaps are valid flowlens configuration (flowlens check-config); Services and the ServiceMonitor select what they should', () => {
    const dir = tempDir('deploy');
    const nodeConfig = all.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('flowlens-node'))!;
    const path = join(dir, 'node.yaml');
    writeFileSync(path, nodeConfig.data['config.yaml']);
    // In the pod the API is in-cluster; here a kubeconfig stands in for it (read, never dialled).
    const kubeconfig = kubeconfigFile(dir, 'https://10.96.0.1:443');
    const check = spawnSync(process.execPath, [CLI, 'check-config', '--config', path], { encoding: 'utf8', env: { PATH: process.env.PATH, FLOWLENS_ENABLE: 'probes,accounting', NODE_NAME: 'n1', KUBECONFIG: kubeconfig } });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /peers:\n\s+static: \[\]\n\s+service: monitoring\/flowlens/);
    const clusterConfig = all.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('flowlens-cluster'))!;
    assert.match(clusterConfig.data['config.yaml'], /certFile: \/etc\/goldmane\/tls\.crt/);
    const mounted = (all.find((object) => object.kind === 'Deployment')!.spec.template.spec.containers[0].volumeMounts as Json[]).map((mount) => mount.mountPath);
    assert.ok(mounted.includes('/etc/goldmane'));
    for (const service of all.filter((object) => object.kind === 'Service')) {
      const selected = workloads(all).filter((workload) => Object.entries(service.spec.selector as Record<string, string>).every(([key, value]) => workload.spec.template.metadata.labels[key] === value));
      assert.equal(selected.length, 1, `Service ${service.metadata.name} selects one workload`);
    }
    const monitor = render('optional/servicemonitor')[0]!;
    const monitored = all.filter((object) => object.kind === 'Service' && Object.entries(monitor.spec.selector.matchLabels as Record<string, string>).every(([key, value]) => object.metadata.labels?.[key] === value));
    assert.equal(monitored.length, 2, 'the ServiceMonitor scrapes both parts');
    for (const service of monitored) assert.ok((service.spec.ports as Json[]).some((port) => port.name === monitor.spec.endpoints[0].port));
  });

  test('the Goldmane certificate recipes (goldmane.md, deployment.md) make the Secret the manifests mount, in their namespace, at the paths the configuration reads', () => {
    const deployment = all.find((object) => object.kind === 'Deployment')!;
    const namespace = deployment.metadata.namespace as string;
    const volume = (deployment.spec.template.spec.volumes as Json[]).find((entry) => entry.secret !== undefined)!;
    const secretName = volume.secret.secretName as string;
    const mountPath = (deployment.spec.template.spec.containers[0].volumeMounts as Json[]).find((mount) => mount.name === volume.name)!.mountPath as string;
    const clusterConfig = all.find((object) => object.kind === 'ConfigMap' && object.metadata.name.startsWith('flowlens-cluster'))!;
    const tls = (parseAllDocuments(clusterConfig.data['config.yaml'])[0]!.toJS() as Json).goldmane.tls as Record<string, string>;
    const keys = Object.values(tls).map((path) => {
      assert.ok(path.startsWith(`${mountPath}/`), `${path} is in the mounted Secret`);
      return path.slice(mountPath.length + 1);
    });
    assert.deepEqual(keys.sort(), ['ca.crt', 'tls.crt', 'tls.key']);

    const docs = new URL('../../docs/', import.meta.url).pathname;
    const goldmane = readFileSync(join(docs, 'goldmane.md'), 'utf8');
    const certificate = [...goldmane.matchAll(/```yaml\n([\s\S]*?)```/g)].flatMap((block) => parseAllDocuments(block[1]!).map((doc) => doc.toJS() as Json)).find((object) => object?.kind === 'Certificate');
    assert.ok(certificate, 'goldmane.md has a cert-manager Certificate');
    assert.equal(certificate.metadata.namespace, namespace);
    assert.equal(certificate.spec.secretName, secretName, 'cert-manager writes tls.crt, tls.key and ca.crt into that Secret');
    const quickStart = [...goldmane.matchAll(/```yaml\n([\s\S]*?)```/g)].map((block) => parseAllDocuments(block[1]!)[0]!.toJS() as Json).find((object) => object?.goldmane !== undefined);
    assert.deepEqual(quickStart?.goldmane.tls, tls, 'the quick start reads the paths the manifests mount');
    const created = /kubectl -n (\S+) create secret generic (\S+) \\\n\s+--from-file=tls\.crt=\S+ --from-file=tls\.key=\S+ \\\n\s+--from-file=ca\.crt=/.exec(readFileSync(join(docs, 'deployment.md'), 'utf8'));
    assert.ok(created, 'deployment.md creates the Secret with tls.crt, tls.key and ca.crt');
    assert.deepEqual([created[1], created[2]], [namespace, secretName]);
  });

  test('optional/node-metrics-tls: the node part serves /metrics over TLS to client certificates only, probes over HTTPS; its arguments are valid configuration', async () => {
    const objects = render('optional/node-metrics-tls');
    const daemonSet = objects.find((object) => object.kind === 'DaemonSet')!;
    const container = daemonSet.spec.template.spec.containers[0];
    assert.equal(container.readinessProbe.httpGet.scheme, 'HTTPS');
    assert.equal(container.livenessProbe.httpGet.scheme, 'HTTPS');
    const volume = (daemonSet.spec.template.spec.volumes as Json[]).find((entry) => entry.secret?.secretName === 'flowlens-node-metrics-tls')!;
    const mount = (container.volumeMounts as Json[]).find((entry) => entry.name === volume.name)!;
    const args = container.args as string[];
    assert.equal(args[0], 'run');
    assert.ok(args.some((arg) => arg === `server.tls.clientCAFile=${mount.mountPath}/ca.crt`), 'client certificates required on /metrics');
    // The same arguments, with real certificate files where the Secret would be mounted.
    const certs = await makeCerts();
    const dir = tempDir('deploy-tls');
    const configMap = objects.find((object) => object.kind === 'ConfigMap')!;
    writeFileSync(join(dir, 'config.yaml'), configMap.data['config.yaml']);
    const files: Record<string, string> = { 'tls.crt': certs.serverCert, 'tls.key': certs.serverKey, 'ca.crt': certs.caCert };
    const local = args.slice(1).map((arg) => arg.replace(new RegExp(`${mount.mountPath}/([a-z.]+)`), (_, name: string) => files[name]!));
    const check = spawnSync(process.execPath, [CLI, 'check-config', '--config', join(dir, 'config.yaml'), ...local], { encoding: 'utf8', env: { PATH: process.env.PATH, NODE_NAME: 'n1', FLOWLENS_ENABLE: 'probes,accounting', KUBECONFIG: kubeconfigFile(dir, 'https://10.96.0.1:443') } });
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /clientCAFile: /);
  });
});
