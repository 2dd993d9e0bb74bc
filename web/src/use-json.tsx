import { useEffect, useState } from 'preact/hooks';

/** GETs `url` now and every `everyMs`; the last body, or the error. */
export function useJson<T>(url: string, everyMs = 10_000): { data: T | undefined; error: string | undefined } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let stopped = false;
    const load = async (): Promise<void> => {
      try {
        const response = await fetch(url);
        const body = (await response.json()) as T & { error?: string };
        if (stopped) return;
        if (!response.ok) setError(body.error ?? `${response.status}`);
        else {
          setData(body);
          setError(undefined);
        }
      } catch (failure) {
        if (!stopped) setError(String(failure));
      }
    };
    void load();
    const timer = setInterval(() => void load(), everyMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [url, everyMs]);
  return { data, error };
}

export const WINDOWS = ['1m', '5m', '15m'] as const;

export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const max = Math.max(1, ...values);
  const width = 80;
  const height = 18;
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((value, i) => `${(i * step).toFixed(1)},${(height - (value / max) * (height - 2) - 1).toFixed(1)}`).join(' ');
  return (
    <svg class="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}

/** A table's header row. */
export function Head({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th key={column} scope="col">
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}
