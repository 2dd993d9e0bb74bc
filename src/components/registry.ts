import { jsonlDefinition } from '../sinks/jsonl/definition.js';
import { otlpDefinition } from '../sinks/otlp/definition.js';
import { accountingDefinition } from '../accounting/definition.js';
import { probesDefinition } from '../probes/definition.js';
import { goldmaneDefinition } from '../sources/goldmane/definition.js';
import type { ComponentDefinition } from './component.js';

// Every component flowlens can run, in start order within each kind. A new
// source or sink adds one line here; its folder provides the definition.
export const componentDefinitions: readonly ComponentDefinition[] = [goldmaneDefinition, probesDefinition, accountingDefinition, otlpDefinition, jsonlDefinition];
