/**
 * Bar charts with Chart.js (canvas, tree-shaken to bars, loaded with the first chart): no
 * inline markup or style strings and no eval, so it runs under the app's CSP. The canvas is an
 * image with a summary for assistive technology; the numbers themselves are in a table beside it.
 */

import type { Chart, ChartData } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import { getLocale } from '../../i18n';

export interface Series {
  label: string;
  /** `null`: nothing measured there (no bar). */
  data: (number | null)[];
  /** A CSS custom property of app.css (`--chart-1`), so charts follow light and dark themes. */
  colour: string;
}

export function BarChart({
  labels,
  series,
  summary,
  horizontal = false,
  stacked = true,
  max,
}: {
  labels: string[];
  series: Series[];
  summary: string;
  horizontal?: boolean;
  /** `false`: the series' bars side by side (a median beside its 90th percentile). */
  stacked?: boolean;
  /** The value axis's top (a rating's 5), instead of the largest value's. */
  max?: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'bar'> | null>(null);

  useEffect(() => {
    let cancelled = false;
    void import('./chartjs').then(({ Chart: ChartJs }) => {
      if (cancelled || !canvas.current) return;
      const css = getComputedStyle(document.documentElement);
      const colour = (name: string) => css.getPropertyValue(name).trim() || '#1d4ed8';
      const data: ChartData<'bar'> = {
        labels,
        datasets: series.map((s) => ({ label: s.label, data: s.data, backgroundColor: colour(s.colour), borderWidth: 0 })),
      };
      if (chart.current) {
        chart.current.data = data;
        chart.current.options.locale = getLocale();
        chart.current.update();
        return;
      }
      const text = colour('--text');
      const grid = colour('--border');
      const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      chart.current = new ChartJs<'bar'>(canvas.current, {
        type: 'bar',
        data,
        options: {
          indexAxis: horizontal ? 'y' : 'x',
          responsive: true,
          maintainAspectRatio: false,
          animation: still ? false : undefined,
          locale: getLocale(),
          scales: {
            x: { stacked, ticks: { color: text, precision: 0 }, grid: { color: grid }, ...(horizontal && max !== undefined ? { min: 0, max } : {}) },
            y: { stacked, ticks: { color: text, precision: 0 }, grid: { color: grid }, ...(!horizontal && max !== undefined ? { min: 0, max } : {}) },
          },
          plugins: { legend: { position: 'bottom', labels: { color: text } } },
        },
      });
    });
    return () => {
      cancelled = true;
    };
  }, [JSON.stringify(labels), JSON.stringify(series), horizontal, stacked, max]);

  useEffect(() => () => chart.current?.destroy(), []);

  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={summary} />
    </div>
  );
}
