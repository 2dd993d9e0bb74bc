// Prometheus text format 0.0.4 and OpenMetrics 1.0.0, written by hand: the
// series budget pre-renders each label set once, which makes /metrics several
// times faster than prom-client's renderer (bench/metrics-render.bench.ts), and
// lets seed counters without `_total` keep their exact sample names when a
// scraper negotiates OpenMetrics (they are exposed there as type `unknown`).

export type ExpositionFormat = 'text' | 'openmetrics';

export const CONTENT_TYPE: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

const LABEL_SPECIAL = /[\\"\n]/;

export function escapeLabelValue(value: string): string {
  if (!LABEL_SPECIAL.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(help: string, format: ExpositionFormat): string {
  const escaped = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? escaped.replace(/"/g, '\\"') : escaped;
}

export function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/**
 * `a="x",b="y"`: the inside of a label set's braces, rendered once per series.
 * Built with join, which yields one flat string: `+=` would leave a rope of
 * small string nodes alive for as long as the series lives.
 */
export function renderLabelPairs(names: readonly string[], values: readonly string[]): string {
  return names.map((name, index) => `${name}="${escapeLabelValue(values[index] as string)}"`).join(',');
}

/**
 * The # HELP / # TYPE lines of a family. In OpenMetrics a counter family drops
 * its `_total` suffix (samples keep it); a counter whose name lacks `_total`
 * (the seed-compatible families) is declared `unknown` so its samples keep the
 * name Prometheus stored before, whatever format the scraper negotiates.
 */
export function familyHeader(name: string, help: string, type: MetricType, format: ExpositionFormat): string {
  let family = name;
  let declared: string = type;
  if (format === 'openmetrics') {
    if (type === 'counter') {
      if (name.endsWith('_total')) family = name.slice(0, -'_total'.length);
      else declared = 'unknown';
    } else if (type === 'untyped') {
      declared = 'unknown';
    }
  }
  return `# HELP ${family} ${escapeHelp(help, format)}\n# TYPE ${family} ${declared}\n`;
}

export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined) return 'text';
  let best: ExpositionFormat = 'text';
  let bestQuality = -1;
  for (const part of accept.split(',')) {
    const [mediaType = '', ...params] = part.split(';').map((item) => item.trim().toLowerCase());
    let quality = 1;
    for (const param of params) {
      if (param.startsWith('q=')) quality = Number(param.slice(2)) || 0;
    }
    const format: ExpositionFormat | undefined =
      mediaType === 'application/openmetrics-text' ? 'openmetrics' : mediaType === 'text/plain' ? 'text' : undefined;
    if (format !== undefined && quality > 0 && quality > bestQuality) {
      best = format;
      bestQuality = quality;
    }
  }
  return best;
}
