import { accessSync, closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
import type * as z from 'zod';
import type { ComponentDefinition } from '../components/component.js';
import { environmentRows, type EnvVariable } from './env.js';
import { ConfigError, describeFsError } from './errors.js';
import { redactUrls } from './redact.js';
import { getPath, schemaFields, toJsonSchema, type SchemaNode } from './json-schema.js';
import { buildConfigSchema, type Config } from './schema.js';

// Precedence (docs/contracts.md section 2): flags > environment > config file > defaults.
// Every value remembers where it came from, so an error can name both the
// setting and its origin in one line.

export interface ConfigFlags {
  readonly listen?: string | undefined;
  readonly logLevel?: string | undefined;
  /** "key.path=value" pairs; value is read as a YAML scalar or flow collection. */
  readonly set?: readonly string[] | undefined;
}

export interface LoadOptions {
  /** From --config; FLOWLENS_CONFIG is used when absent. */
  readonly configFile?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  readonly flags?: ConfigFlags;
  /** Every component flowlens has (src/registry.ts). */
  readonly definitions: readonly ComponentDefinition[];
  /** The metric family names metrics.families may name (src/registry.ts); absent: not checked. */
  readonly families?: ReadonlySet<string>;
}

export interface LoadedConfig {
  readonly config: Config;
  readonly enabled: readonly ComponentDefinition[];
  readonly configFile: string | undefined;
  readonly schema: SchemaNode;
  /** Compatibility variables that are set but have no effect (logged at start-up). */
  readonly ignoredVariables: readonly string[];
}

type Data = Record<string, unknown>;

class LayeredConfig {
  readonly data: Data = {};
  private readonly origins = new Map<string, string>();

  set(path: readonly string[], value: unknown, origin: string): void {
    let node = this.data;
    for (const [index, key] of path.slice(0, -1).entries()) {
      const next = node[key];
      if (next === undefined || next === null) {
        node[key] = {};
      } else if (typeof next !== 'object' || Array.isArray(next)) {
        const at = path.slice(0, index + 1).join('.');
        throw new ConfigError(`${at}: expected a mapping${this.originText(path.slice(0, index + 1))}`);
      }
      node = node[key] as Data;
    }
    node[path[path.length - 1] as string] = value;
    this.record(path, value, origin);
  }

  private record(path: readonly string[], value: unknown, origin: string): void {
    this.origins.set(path.join('.'), origin);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) this.record([...path, key], child, origin);
    }
  }

  /**
   * " (from <origin>)" for the longest recorded prefix of path, else for a
   * value set below it (a section introduced by one of its keys), else "".
   */
  originText(path: readonly (string | number)[]): string {
    for (let length = path.length; length > 0; length--) {
      const origin = this.origins.get(path.slice(0, length).join('.'));
      if (origin !== undefined) return ` (from ${origin})`;
    }
    const below = `${path.join('.')}.`;
    for (const [key, origin] of this.origins) if (key.startsWith(below)) return ` (from ${origin})`;
    return '';
  }
}

export function loadConfig(options: LoadOptions): LoadedConfig {
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const { definitions } = options;
  const schema = buildConfigSchema(definitions, options.families);
  const jsonSchema = toJsonSchema(schema);
  const layers = new LayeredConfig();

  const fromEnvVar = options.configFile === undefined && nonEmpty(env.FLOWLENS_CONFIG);
  const configFile = options.configFile ?? (nonEmpty(env.FLOWLENS_CONFIG) ? env.FLOWLENS_CONFIG : undefined);
  const fileSections = new Set<string>();
  if (configFile !== undefined) {
    const setting = fromEnvVar ? 'FLOWLENS_CONFIG' : '--config';
    const fileData = readConfigFile(configFile, setting);
    for (const [key, value] of Object.entries(fileData)) {
      fileSections.add(key);
      layers.set([key], value, `config file ${configFile}`);
    }
  }

  const rows = environmentRows(definitions);
  applyEnvironment(layers, env, jsonSchema, rows);

  const flagSections = new Set<string>();
  if (flags.listen !== undefined) layers.set(['server', 'listen'], flags.listen, 'flag --listen');
  if (flags.logLevel !== undefined) layers.set(['log', 'level'], flags.logLevel, 'flag --log-level');
  for (const assignment of flags.set ?? []) {
    const { path, value } = parseAssignment(assignment);
    flagSections.add(path[0] as string);
    layers.set(path, value, `flag --set ${path.join('.')}`);
  }

  const result = schema.safeParse(layers.data, { reportInput: true });
  if (!result.success) throw new ConfigError(describeIssues(result.error.issues, layers, jsonSchema));
  const config = result.data as Config;

  // Components that run on their own (auto: the flow metrics, enrichment) are not enabled by name.
  const enableable = definitions.filter((definition) => definition.auto === undefined);
  const known = new Set(enableable.map((definition) => definition.name));
  for (const name of config.enable) {
    if (!known.has(name)) {
      const available = [...known].join(', ') || 'none in this version';
      throw new ConfigError(`enable: unknown component "${name}" (available: ${available})${layers.originText(['enable'])}`);
    }
  }
  const enabled = enableable.filter(
    (definition) =>
      fileSections.has(definition.name) ||
      flagSections.has(definition.name) ||
      config.enable.includes(definition.name) ||
      (definition.enableEnv ?? []).some((variable) => nonEmpty(env[variable])),
  );
  // Files of disabled components are not read, so they are not checked either.
  const disabled = new Set(enableable.filter((definition) => !enabled.includes(definition)).map((definition) => definition.name));
  checkFiles(config, jsonSchema, layers, disabled);
  const ignoredVariables = rows.filter((row) => row.ignored && nonEmpty(env[row.name])).map((row) => row.name);
  return { config, enabled, configFile, schema: jsonSchema, ignoredVariables };
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** A configuration file larger than this is refused (a mistake, not a configuration). */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** The file's text: a regular file of at most MAX_CONFIG_BYTES (a FIFO or /dev/zero would block or never end). */
function readBoundedFile(file: string, setting: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ConfigError(`${setting}: cannot read config file "${file}": ${describeFsError(err)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ConfigError(`${setting}: config file "${file}" is not a regular file`);
    if (stat.size > MAX_CONFIG_BYTES) throw new ConfigError(`${setting}: config file "${file}" has ${stat.size} bytes; at most 1 MiB is read`);
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > MAX_CONFIG_BYTES) throw new ConfigError(`${setting}: config file "${file}" grew beyond 1 MiB while it was read`);
    return buffer.toString('utf8', 0, length);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${setting}: cannot read config file "${file}": ${describeFsError(err)}`);
  } finally {
    closeSync(fd);
  }
}

function readConfigFile(file: string, setting: string): Data {
  const text = readBoundedFile(file, setting);
  const document = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = document.errors[0];
  if (error !== undefined) {
    // prettyErrors puts "at line L, column C:" on the first line, a code frame below it.
    throw new ConfigError(`${setting}: ${file}: ${firstLine(error.message).replace(/:$/, '')}`);
  }
  let data: unknown;
  try {
    // Unresolved aliases and alias bombs (yaml's maxAliasCount) surface here, not in document.errors.
    data = document.toJS();
  } catch (err) {
    throw new ConfigError(`${setting}: ${file}: ${firstLine((err as Error).message)}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`${setting}: ${file}: the top level must be a mapping of sections (server:, metrics:, ...)`);
  }
  return data as Data;
}

function applyEnvironment(layers: LayeredConfig, env: NodeJS.ProcessEnv, jsonSchema: SchemaNode, rows: readonly EnvVariable[]): void {
  const setBy = new Map<string, { variable: string; value: unknown }>();
  for (const row of rows) {
    const raw = env[row.name];
    if (row.path === undefined || !nonEmpty(raw)) continue;
    if (row.yieldsTo?.some((name) => nonEmpty(env[name]))) continue;
    let value: unknown;
    try {
      value = row.parse ? row.parse(raw) : raw;
    } catch (err) {
      throw new ConfigError(`${row.name}: ${(err as Error).message}`);
    }
    const earlier = setBy.get(row.path);
    if (earlier !== undefined && !isDeepStrictEqual(earlier.value, value)) {
      const values = nodeAt(jsonSchema, row.path.split('.'))?.secret ? '' : ` (${redactUrls(JSON.stringify(earlier.value))} vs ${redactUrls(JSON.stringify(value))})`;
      throw new ConfigError(`${row.path}: ${earlier.variable} and ${row.name} disagree${values}; set only one`);
    }
    setBy.set(row.path, { variable: row.name, value });
    layers.set(row.path.split('.'), value, `environment variable ${row.name}`);
  }
}

function parseAssignment(assignment: string): { path: string[]; value: unknown } {
  const equals = assignment.indexOf('=');
  const key = equals > 0 ? assignment.slice(0, equals).trim() : '';
  if (equals <= 0 || !/^[A-Za-z_][A-Za-z0-9_:]*(\.[A-Za-z_][A-Za-z0-9_:]*)*$/.test(key)) {
    throw new ConfigError(`--set: expected key.path=value, got "${assignment}"`);
  }
  const text = assignment.slice(equals + 1);
  let value: unknown;
  try {
    value = text === '' ? '' : YAML.parse(text);
  } catch (err) {
    throw new ConfigError(`--set ${key}: ${firstLine((err as Error).message)}`);
  }
  return { path: key.split('.'), value };
}

function describeIssues(issues: readonly z.core.$ZodIssue[], layers: LayeredConfig, jsonSchema: SchemaNode): string {
  const issue = issues[0] as z.core.$ZodIssue;
  // zod reports all unknown keys of one mapping as one issue; count each key.
  const others = issues.length - 1 + (issue.code === 'unrecognized_keys' ? issue.keys.length - 1 : 0);
  const more = others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : '';
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] as string;
    const siblings = Object.keys(nodeAt(jsonSchema, path)?.properties ?? {});
    const suggestion = closest(key, siblings);
    const hint = suggestion
      ? ` (did you mean "${suggestion}"?)`
      : path.length === 0
        ? ` (known: ${siblings.join(', ')})`
        : '';
    return `${[...path, key].join('.')}: unknown setting${hint}${layers.originText([...path, key])}${more}`;
  }
  const secret = nodeAt(jsonSchema, path)?.secret === true;
  const input: unknown = 'input' in issue ? issue.input : undefined;
  let message = firstLine(issue.message);
  if (issue.code === 'invalid_type') {
    message = `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${secret ? 'a value of another type' : describeValue(input)}`;
  } else if (!secret && input !== undefined && typeof input !== 'object' && !message.includes(String(input))) {
    message += ` (got ${redactUrls(JSON.stringify(input))})`;
  }
  return `${path.join('.') || '(top level)'}: ${message}${layers.originText(path)}${more}`;
}

const TYPE_WORDS: Readonly<Record<string, string>> = { object: 'a mapping', array: 'a list' };

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${redactUrls(JSON.stringify(value))}`;
}

function nodeAt(root: SchemaNode, path: readonly string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const key of path) node = node?.properties?.[key] ?? node?.items;
  return node;
}

function checkFiles(config: Config, jsonSchema: SchemaNode, layers: LayeredConfig, skipSections: ReadonlySet<string>): void {
  for (const field of schemaFields(jsonSchema)) {
    if (field.node.format !== 'file' || skipSections.has(field.path[0] as string)) continue;
    const value = getPath(config, field.path);
    if (typeof value !== 'string') continue;
    try {
      accessSync(value, constants.R_OK);
      if (!statSync(value).isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOTFILE' });
    } catch (err) {
      throw new ConfigError(
        `${field.path.join('.')}: cannot read "${value}": ${describeFsError(err)}${layers.originText(field.path)}`,
      );
    }
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? '';
}

/** The candidate within edit distance 2 of key, else one that key begins, if any. */
function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined || key.length < 3) return best;
  return candidates.find((candidate) => candidate.toLowerCase().startsWith(key.toLowerCase()));
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
