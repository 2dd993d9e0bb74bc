import * as z from 'zod';
import { defineComponent, type Component, type ComponentKind, type ComponentStatus } from '../../src/components/component.js';
import { duration, filePath } from '../../src/config/fields.js';

// Components that exist only in tests: they exercise the agent's lifecycle,
// registry and configuration plumbing, which are what is under test here.

/** A source-like definition with every field kind: duration, file, secret. */
export const widgetDefinition = defineComponent({
  name: 'widget',
  kind: 'source',
  description: 'A test source.',
  enableEnv: ['WIDGET_ADDR'],
  schema: z
    .strictObject({
      address: z.string().default('widget:1').meta({ description: 'Where the widget is.' }),
      interval: duration('15s', { description: 'How often.' }),
      token: z.string().optional().meta({ description: 'API token.', secret: true }),
      caFile: filePath({ description: 'CA bundle.' }).optional(),
    })
    .prefault({}),
  create: () => new ScriptedComponent('widget'),
});

export const gadgetDefinition = defineComponent({
  name: 'gadget',
  kind: 'sink',
  description: 'A test sink.',
  schema: z.strictObject({ size: z.int().min(1).default(3).meta({ description: 'Size.' }) }).prefault({}),
  create: () => new ScriptedComponent('gadget'),
});

/** A component whose readiness and stopping the test drives. */
export class ScriptedComponent implements Component {
  ready = false;
  up = false;
  reason: string | undefined = 'not connected yet';
  startCalls = 0;
  stopped = false;
  /** Milliseconds stop() takes; Infinity never resolves (unless the deadline aborts and honourDeadline). */
  stopDelayMs = 0;
  honourDeadline = true;
  failStart: Error | undefined;
  readonly events: string[];

  constructor(
    readonly name: string,
    events: string[] = [],
  ) {
    this.events = events;
  }

  async start(): Promise<void> {
    this.startCalls++;
    this.events.push(`start ${this.name}`);
    if (this.failStart) throw this.failStart;
  }

  status(): ComponentStatus {
    return { ready: this.ready, up: this.up, ...(this.reason ? { reason: this.reason } : {}) };
  }

  markReady(): void {
    this.ready = true;
    this.up = true;
    this.reason = undefined;
  }

  async stop(deadline: AbortSignal): Promise<void> {
    this.events.push(`stop ${this.name}`);
    if (this.stopDelayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = Number.isFinite(this.stopDelayMs) ? setTimeout(resolve, this.stopDelayMs) : undefined;
        if (this.honourDeadline) {
          deadline.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          }, { once: true });
        }
      });
    }
    this.stopped = true;
  }
}

export function definitionFor(component: ScriptedComponent, kind: ComponentKind) {
  return defineComponent({
    name: component.name,
    kind,
    description: `scripted ${kind}`,
    schema: z.strictObject({}).prefault({}),
    create: () => component,
  });
}
