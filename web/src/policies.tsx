import { count } from './format.js';
import { Head, Sparkline, useJson, WINDOWS } from './use-json.js';
import { replaceParams } from './url-state.js';

interface PolicyRow {
  kind: string;
  tier: string;
  namespace: string;
  name: string;
  action: string;
  trace: string;
  flows: number;
  packets: number;
  series: number[];
}
interface DropRow {
  namespace: string;
  workload?: string;
  pod?: string;
  flows?: number;
  packets: number;
  series: number[];
}
interface Body {
  flows: { policies: PolicyRow[]; drops: DropRow[] };
  accounting: { policies: Array<{ namespace: string; workload: string; direction: string; tier: string; policy: string; verdict: string; packets: number; series: number[] }>; drops: DropRow[] } | null;
}

export function WindowPicker({ params }: { params: URLSearchParams }) {
  const current = params.get('window') ?? '5m';
  return (
    <label>
      Window
      <select
        value={current}
        onChange={(event) => {
          const next = new URLSearchParams(params);
          next.set('window', (event.target as HTMLSelectElement).value);
          replaceParams(next);
        }}
      >
        {WINDOWS.map((window) => (
          <option key={window} value={window}>
            {window}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Policies({ params }: { params: URLSearchParams }) {
  const window = params.get('window') ?? '5m';
  const { data, error } = useJson<Body>(`/api/v1/policies?window=${encodeURIComponent(window)}`);
  return (
    <section aria-labelledby="policies-title">
      <h2 id="policies-title">Policies</h2>
      <WindowPicker params={params} />
      {error !== undefined && <p role="alert">{error}</p>}
      <h3>Verdicts in flow traces</h3>
      <table>
        <Head columns={['Tier', 'Policy', 'Kind', 'Rule action', 'Trace', 'Flows', 'Packets', 'Flows per minute']} />
        <tbody>
          {(data?.flows.policies ?? []).map((row) => (
            <tr key={`${row.kind}/${row.tier}/${row.namespace}/${row.name}/${row.action}/${row.trace}`} class={`action-${row.action}`}>
              <td>{row.tier}</td>
              <td>{row.namespace === '' ? row.name || '(end of tier)' : `${row.namespace}/${row.name}`}</td>
              <td>{row.kind}</td>
              <td>{row.action}</td>
              <td>{row.trace}</td>
              <td>{count(row.flows)}</td>
              <td>{count(row.packets)}</td>
              <td>
                <Sparkline values={row.series} label={`flows per minute for ${row.name}`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>No-policy drops (end of tier) by workload</h3>
      <table>
        <Head columns={['Namespace', 'Workload', 'Flows', 'Per minute']} />
        <tbody>
          {(data?.flows.drops ?? []).map((row) => (
            <tr key={`${row.namespace}/${row.workload}`}>
              <td>{row.namespace}</td>
              <td>{row.workload}</td>
              <td>{count(row.flows ?? 0)}</td>
              <td>
                <Sparkline values={row.series} label={`drops per minute for ${row.workload ?? ''}`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data?.accounting && (
        <>
          <h3>Dataplane counters (policy accounting)</h3>
          <table>
            <Head columns={['Workload', 'Direction', 'Tier / policy', 'Verdict', 'Packets', 'Per minute']} />
            <tbody>
              {data.accounting.policies.map((row) => (
                <tr key={`${row.namespace}/${row.workload}/${row.direction}/${row.tier}/${row.policy}/${row.verdict}`}>
                  <td>
                    {row.namespace}/{row.workload}
                  </td>
                  <td>{row.direction}</td>
                  <td>
                    {row.tier}/{row.policy}
                  </td>
                  <td>{row.verdict}</td>
                  <td>{count(row.packets)}</td>
                  <td>
                    <Sparkline values={row.series} label={`packets per minute for ${row.policy}`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3>No-policy drops counted by the dataplane, by pod</h3>
          <table>
            <Head columns={['Namespace', 'Pod', 'Packets', 'Per minute']} />
            <tbody>
              {data.accounting.drops.map((row) => (
                <tr key={`${row.namespace}/${row.pod}`}>
                  <td>{row.namespace}</td>
                  <td>{row.pod}</td>
                  <td>{count(row.packets)}</td>
                  <td>
                    <Sparkline values={row.series} label={`dropped packets per minute for ${row.pod ?? ''}`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
