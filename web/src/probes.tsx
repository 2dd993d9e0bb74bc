import { Head, useJson } from './use-json.js';
import { WindowPicker } from './policies.js';

interface Target {
  probe: string;
  target: string;
  node: string;
  attempts: number;
  errors: number;
  reasons: Record<string, number>;
  latencyMs: number | null;
  loss: number | null;
  status: string;
}

export function Probes({ params }: { params: URLSearchParams }) {
  const window = params.get('window') ?? '5m';
  const { data, error } = useJson<{ running: boolean; targets: Target[] }>(`/api/v1/probes?window=${encodeURIComponent(window)}`);
  return (
    <section aria-labelledby="probes-title">
      <h2 id="probes-title">Probes</h2>
      <WindowPicker params={params} />
      {error !== undefined && <p role="alert">{error}</p>}
      <table>
        <Head columns={['Status', 'Probe', 'Target', 'Node', 'Mean latency', 'Failed / attempts', 'Reasons', 'UDP loss']} />
        <tbody>
          {(data?.targets ?? []).map((target) => (
            <tr key={`${target.probe}/${target.target}`} class={`status-${target.status}`}>
              <td>{target.status}</td>
              <td>{target.probe}</td>
              <td>{target.target}</td>
              <td>{target.node}</td>
              <td>{target.latencyMs === null ? '–' : `${target.latencyMs.toFixed(2)} ms`}</td>
              <td>
                {target.errors} / {target.attempts}
              </td>
              <td>
                {Object.entries(target.reasons)
                  .map(([reason, n]) => `${reason} ${n}`)
                  .join(', ')}
              </td>
              <td>{target.loss === null ? '–' : `${(target.loss * 100).toFixed(0)}%`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
