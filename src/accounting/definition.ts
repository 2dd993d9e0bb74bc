import { defineComponent } from '../components/component.js';
import { KUBE } from '../kube/service.js';
import { Accountant } from './accountant.js';
import { accountingSchema } from './config.js';
import { ACCOUNTING_FAMILIES } from './metrics.js';
import { ACCOUNTING_ENVIRONMENT } from './env.js';

export const accountingDefinition = defineComponent({
  name: 'accounting',
  kind: 'source',
  description: 'Calico policy accounting (calico-accountant): per-workload policy accept and no-policy drop counters from iptables or nftables.',
  kubePods: 'node',
  metrics: ACCOUNTING_FAMILIES,
  env: ACCOUNTING_ENVIRONMENT,
  schema: accountingSchema,
  // Workloads are named from the pods of this node and their owners; hashed policy chains without
  // a readable comment are matched against the names of the NetworkPolicies and (Baseline)AdminNetworkPolicies.
  kubernetes: () => ({ setting: 'accounting', kinds: ['pods', 'replicasets', 'jobs', 'networkpolicies', 'adminnetworkpolicies', 'baselineadminnetworkpolicies'] }),
  create: (config, context) => new Accountant({ config, logger: context.logger, metrics: context.metrics, kube: () => context.services.get(KUBE), nodeName: context.identity.nodeName }),
});
