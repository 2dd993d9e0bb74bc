import { Component } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { bytes, count, time } from './format.js';
import { Head } from './use-json.js';
import { FILTERS, replaceParams, type Filter } from './url-state.js';

// The live flow table: the API's SSE stream with the URL's filters (applied
// on the server), newest first, at most MAX_ROWS rows. Rows arriving are
// applied at most every APPLY_MS (in an animation frame), and only the rows
// in view are in the page (a virtual list: the others are spacers), so an
// update costs the same however many rows are kept.

const MAX_ROWS = 1_000;
/** Rows are this tall (style.css): only the rows in view are in the page. */
const ROW_HEIGHT = 28;
const OVERSCAN = 10;
const APPLY_MS = 300;

interface Hit {
  kind?: string;
  namespace?: string;
  name?: string;
  tier?: string;
  action?: string;
  ruleIndex?: string;
}

export interface FlowBody {
  Key: {
    sourceName?: string;
    sourceNamespace?: string;
    destName?: string;
    destNamespace?: string;
    destPort?: string;
    proto?: string;
    reporter?: string;
    action?: string;
    policies?: { enforcedPolicies?: Hit[]; pendingPolicies?: Hit[] };
  };
  startTime?: string;
  packetsIn?: string;
  packetsOut?: string;
  bytesIn?: string;
  bytesOut?: string;
  sourceIp?: string;
  destIp?: string;
  sourceWorkload?: string;
  sourceWorkloadNamespace?: string;
  sourcePod?: string;
  destWorkload?: string;
  destWorkloadNamespace?: string;
  destPod?: string;
  [field: string]: unknown;
}

interface Row {
  readonly id: number;
  readonly flow: FlowBody;
}

const PLACEHOLDERS: Record<Filter, string> = {
  namespace: 'shop',
  workload: 'web',
  action: 'allow, deny, pass',
  policy: 'allow-web',
  protocol: 'tcp',
  port: '443',
};

/** "namespace / workload (pod)" or the address when nothing is known. */
export function endpointText(flow: FlowBody, side: 'source' | 'dest'): string {
  const key = flow.Key;
  const namespace = (flow[`${side}WorkloadNamespace`] as string | undefined) ?? (side === 'source' ? key.sourceNamespace : key.destNamespace) ?? '';
  const workload = (flow[`${side}Workload`] as string | undefined) ?? (side === 'source' ? key.sourceName : key.destName) ?? '';
  const pod = flow[`${side}Pod`] as string | undefined;
  const ip = flow[`${side}Ip`] as string | undefined;
  const name = workload !== '' && workload !== 'pvt' && workload !== 'pub' ? workload : (ip ?? workload);
  return `${namespace === '' ? '' : `${namespace} / `}${name}${pod !== undefined ? ` (${pod})` : ''}`;
}

function trace(flow: FlowBody): string {
  const hits = [
    ...(flow.Key.policies?.enforcedPolicies ?? []).map((hit) => ({ hit, pending: false })),
    ...(flow.Key.policies?.pendingPolicies ?? []).map((hit) => ({ hit, pending: true })),
  ];
  return hits
    .map(({ hit, pending }) => `${hit.tier ?? ''}/${hit.name ?? (hit.kind === 'EndOfTier' ? 'end of tier' : '')} ${hit.action ?? ''}${hit.ruleIndex !== undefined ? ` rule ${hit.ruleIndex}` : ''}${pending ? ' (pending)' : ''}`)
    .join('; ');
}

/** One row: rendered once (a row's flow never changes). */
class FlowRow extends Component<{ row: Row; onOpen: (row: Row) => void }> {
  override shouldComponentUpdate(next: { row: Row }): boolean {
    return next.row !== this.props.row;
  }

  override render() {
    const { row } = this.props;
    return (
      <tr class={`action-${(row.flow.Key.action ?? 'none').toLowerCase()}`}>
        <td>{row.flow.startTime !== undefined ? time(Number(row.flow.startTime)) : ''}</td>
        <td>
          <button type="button" class="link" onClick={() => this.props.onOpen(row)} aria-label={`Details of the flow from ${endpointText(row.flow, 'source')} to ${endpointText(row.flow, 'dest')}`}>
            {endpointText(row.flow, 'source')}
          </button>
        </td>
        <td>{endpointText(row.flow, 'dest')}</td>
        <td>
          {row.flow.Key.destPort ?? ''}/{row.flow.Key.proto ?? ''}
        </td>
        <td>{row.flow.Key.action ?? ''}</td>
        <td>{trace(row.flow)}</td>
        <td>
          {row.flow.packetsIn ?? 0} / {row.flow.packetsOut ?? 0}
        </td>
        <td>
          {bytes(Number(row.flow.bytesIn ?? 0))} / {bytes(Number(row.flow.bytesOut ?? 0))}
        </td>
        <td>{row.flow.Key.reporter ?? ''}</td>
      </tr>
    );
  }
}

export function Flows({ params }: { params: URLSearchParams }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [stats, setStats] = useState({ sent: 0, folded: 0, skipped: 0 });
  const [paused, setPaused] = useState(false);
  const [connected, setConnected] = useState(false);
  const [selected, setSelected] = useState<Row | undefined>(undefined);
  const query = new URLSearchParams([...params].filter(([name]) => (FILTERS as readonly string[]).includes(name))).toString();
  const pending = useRef<Row[]>([]);
  const closeButton = useRef<HTMLButtonElement>(null);
  // The record opens with the focus on its Close button (Escape closes it too).
  useEffect(() => closeButton.current?.focus(), [selected]);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = scroller.current;
    if (element === null) return undefined;
    let frame = 0;
    const measure = (): void => {
      frame = 0;
      setScrollTop(element.scrollTop);
      setViewport(element.clientHeight);
    };
    const onScroll = (): void => {
      if (frame === 0) frame = requestAnimationFrame(measure);
    };
    measure();
    element.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    return () => {
      element.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
      if (frame !== 0) cancelAnimationFrame(frame);
    };
  }, []);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  const nextId = useRef(0);

  useEffect(() => {
    if (paused) return undefined;
    setRows([]);
    const source = new EventSource(`/api/v1/flows${query === '' ? '' : `?${query}`}`);
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const apply = (): void => {
      frame = 0;
      timer = undefined;
      const fresh = pending.current.reverse();
      pending.current = [];
      setRows((current) => [...fresh, ...current].slice(0, MAX_ROWS));
    };
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.onmessage = (event: MessageEvent<string>) => {
      pending.current.push({ id: nextId.current++, flow: JSON.parse(event.data) as FlowBody });
      if (pending.current.length > MAX_ROWS) pending.current.splice(0, pending.current.length - MAX_ROWS);
      if (timer === undefined && frame === 0) timer = setTimeout(() => (frame = requestAnimationFrame(apply)), APPLY_MS);
    };
    source.addEventListener('stats', (event) => setStats(JSON.parse((event as MessageEvent<string>).data) as typeof stats));
    return () => {
      source.close();
      if (frame !== 0) cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
      pending.current = [];
    };
  }, [query, paused]);

  const setFilter = (name: Filter, value: string): void => {
    const next = new URLSearchParams(params);
    if (value.trim() === '') next.delete(name);
    else next.set(name, value.trim());
    replaceParams(next);
  };

  return (
    <section aria-labelledby="flows-title">
      <h2 id="flows-title">Flows</h2>
      <form class="filters" onSubmit={(event) => event.preventDefault()} aria-label="Flow filters">
        {FILTERS.map((name) => (
          <label key={name}>
            {name}
            <input name={name} value={params.get(name) ?? ''} placeholder={PLACEHOLDERS[name]} onChange={(event) => setFilter(name, (event.target as HTMLInputElement).value)} />
          </label>
        ))}
        <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </form>
      <p class="status" role="status">
        {paused ? 'Paused' : connected ? 'Live' : 'Connecting…'} · {rows.length} rows shown · {count(stats.folded)} folded · {count(stats.skipped)} skipped
      </p>
      <div class="scroller" ref={scroller}>
      <table class="flows">
        <Head columns={['Time', 'Source', 'Destination', 'Port', 'Action', 'Policies', 'Packets in / out', 'Bytes in / out', 'Reporter']} />
        <tbody>
          {first > 0 && <tr class="spacer" aria-hidden="true" style={{ height: `${first * ROW_HEIGHT}px` }} />}
          {rows.slice(first, last).map((row) => (
            <FlowRow key={row.id} row={row} onOpen={setSelected} />
          ))}
          {last < rows.length && <tr class="spacer" aria-hidden="true" style={{ height: `${(rows.length - last) * ROW_HEIGHT}px` }} />}
        </tbody>
      </table>
      </div>
      {selected !== undefined && (
        <dialog
          open
          aria-label="Flow record"
          class="record"
          onKeyDown={(event) => {
            if (event.key === 'Escape') setSelected(undefined);
          }}
        >
          <pre>{JSON.stringify(selected.flow, null, 2)}</pre>
          <button type="button" ref={closeButton} onClick={() => setSelected(undefined)}>
            Close
          </button>
        </dialog>
      )}
    </section>
  );
}
