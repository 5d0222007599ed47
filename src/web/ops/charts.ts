/** The /ops page's time-series charts: uPlot (bundled, no CDN), one line per series, in the page's colours. */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "../ui/dom";

export interface Line {
  label: string;
  values: (number | null)[];
  /** A CSS colour or custom property (`var(--accent)`). */
  stroke: string;
}

const charts = new Map<HTMLElement, uPlot>();

/** Draws (or redraws) the chart in `figure`: `times` in ms (the x axis, named `timeLabel` in the legend), one value per time per line. */
export function drawChart(figure: HTMLElement, title: string, timeLabel: string, times: number[], lines: Line[]): void {
  charts.get(figure)?.destroy();
  const caption = h("figcaption", {}, title);
  const plot = h("div", { class: "ops-plot" });
  figure.replaceChildren(caption, plot);
  const style = getComputedStyle(document.documentElement);
  const colour = (c: string) => (c.startsWith("var(") ? style.getPropertyValue(c.slice(4, -1)).trim() : c);
  const axis = { stroke: colour("var(--muted)"), grid: { stroke: colour("var(--border)"), width: 1 }, ticks: { stroke: colour("var(--border)") } };
  const chart = new uPlot(
    {
      width: Math.max(280, plot.clientWidth || figure.clientWidth - 32),
      height: 200,
      // Points too: a value between two empty intervals has no line to either side.
      series: [
        { label: timeLabel },
        ...lines.map((l) => ({
          label: l.label,
          stroke: colour(l.stroke),
          width: 2,
          spanGaps: false,
          points: { show: true, size: 6, fill: colour(l.stroke) },
        })),
      ],
      axes: [axis, axis],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    },
    [times.map((t) => t / 1000), ...lines.map((l) => l.values)],
    plot,
  );
  chart.root.setAttribute("role", "img");
  chart.root.setAttribute("aria-label", title);
  charts.set(figure, chart);
}
