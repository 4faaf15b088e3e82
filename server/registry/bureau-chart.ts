/**
 * An inline SVG bar chart of bills issued per day: no script, no external asset, styled by the page.
 */
import { escapeHtml } from "../format/html";

export function dailyChartSvg(days: Array<{ day: string; count: number }>): string {
  const W = 720,
    H = 200,
    left = 36,
    bottom = 24,
    top = 10;
  const max = Math.max(1, ...days.map((d) => d.count));
  const slot = (W - left - 4) / Math.max(1, days.length);
  const scale = (H - bottom - top) / max;
  const bars = days
    .map((d, i) => {
      const h = d.count * scale;
      const x = left + i * slot + 1;
      const y = H - bottom - h;
      const label =
        i % 5 === 0 || i === days.length - 1
          ? `<text x="${(x + slot / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle">${escapeHtml(d.day.slice(5))}</text>`
          : "";
      return `<rect class="bar" data-day="${escapeHtml(d.day)}" data-count="${d.count}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, slot - 2).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(d.day)}: ${d.count}</title></rect>${label}`;
    })
    .join("");
  const total = days.reduce((s, d) => s + d.count, 0);
  return (
    `<svg class="chart" id="daily-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Bills issued per day, last ${days.length} days: ${total} in total" xmlns="http://www.w3.org/2000/svg">` +
    `<line class="axis" x1="${left}" y1="${H - bottom}" x2="${W}" y2="${H - bottom}"/>` +
    `<text x="${left - 4}" y="${top + 8}" text-anchor="end">${max}</text><text x="${left - 4}" y="${H - bottom}" text-anchor="end">0</text>` +
    bars +
    `</svg>`
  );
}
