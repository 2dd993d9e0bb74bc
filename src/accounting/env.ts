import { commaList, SEEDS, type EnvVariable } from '../config/env.js';

// The accounting component's environment variables (calico-accountant's).
export const ACCOUNTING_ENVIRONMENT: readonly EnvVariable[] = [
  {
    name: 'MINIMUM_COUNTER',
    path: 'accounting.minimumCounter',
    seed: SEEDS.accountant,
    parse: (raw) => {
      if (!/^\s*-?\d+\s*$/.test(raw)) throw new Error(`"${raw}" is not an integer`);
      return Number(raw.trim());
    },
    description: 'Scrapes in which no sample reaches this count are dropped (calico-accountant).',
  },
  {
    name: 'FELIX_INTERFACEPREFIX',
    path: 'accounting.interfacePrefixes',
    seed: SEEDS.accountant,
    parse: commaList,
    description: "Workload interface prefixes, comma-separated, as Calico's components read them (default `cali`).",
  },
];
