/**
 * The N-model evaluation plot as standalone SVG text: mean quality against mean cost per request,
 * one dot per single model, their convex hull (dashed), the oracle (dotted) and each router's
 * hull with its knob points. Same conventions as `plot.ts` (d3 scales, legend on the right).
 */
import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import type { CostQualityPoint } from './cost-quality.js';
import type { NModelEvaluation } from './evaluate-n-models.js';
import { escapeXml, fixed, PALETTE, wrap } from './plot.js';

/** Size and labels of the plot. */
export interface NModelPlotOptions {
  /** Width in pixels (default 900). */
  width?: number;
  /** Height in pixels (default 560). */
  height?: number;
  /** Title (default "Cost and quality among N models"). */
  title?: string;
  /** Label of the quality axis (default "Mean quality"). */
  qualityLabel?: string;
}

/** Renders the N-model plot (valid standalone SVG 1.1 with named axes). */
export function renderNModelPlotSvg(result: NModelEvaluation, options: NModelPlotOptions = {}): string {
  const width = options.width ?? 900;
  const height = options.height ?? 560;
  const title = options.title ?? 'Cost and quality among N models';
  const margin = { top: 48, right: 250, bottom: 72, left: 78 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const routers = Object.entries(result.routers);
  const all = [...result.singles, ...result.oracle.hull, ...routers.flatMap(([, r]) => r.points)];
  const costs = all.map((p) => p.cost).filter(Number.isFinite);
  const qualities = all.map((p) => p.quality).filter(Number.isFinite);
  const x = scaleLinear().domain([0, Math.max(...costs) * 1.04]).range([0, plotWidth]).nice();
  const [low, high] = [Math.min(...qualities), Math.max(...qualities)];
  const y = scaleLinear().domain([low - (high - low) * 0.05, high + (high - low) * 0.05]).range([plotHeight, 0]).nice();
  const path = (points: readonly CostQualityPoint[]) => line<CostQualityPoint>().x((p) => x(p.cost)).y((p) => y(p.quality))(points) ?? '';
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<g transform="translate(${margin.left},${margin.top})">`,
    '<g class="grid" stroke="#e6e6e6" stroke-width="1">',
    ...x.ticks(8).map((t) => `<line x1="${fixed(x(t))}" x2="${fixed(x(t))}" y1="0" y2="${plotHeight}"/>`),
    ...y.ticks(8).map((t) => `<line x1="0" x2="${plotWidth}" y1="${fixed(y(t))}" y2="${fixed(y(t))}"/>`),
    '</g>',
    `<g class="axis x-axis" transform="translate(0,${plotHeight})"><line x1="0" x2="${plotWidth}" y1="0" y2="0" stroke="#333"/>`,
    ...x.ticks(8).map((t) => `<text x="${fixed(x(t))}" y="19" text-anchor="middle">${escapeXml(x.tickFormat(8, '~g')(t))}</text>`),
    `<text class="axis-label" x="${plotWidth / 2}" y="44" text-anchor="middle" font-size="13">Mean cost per request (USD)</text></g>`,
    `<g class="axis y-axis"><line x1="0" x2="0" y1="0" y2="${plotHeight}" stroke="#333"/>`,
    ...y.ticks(8).map((t) => `<text x="-9" y="${fixed(y(t) + 4)}" text-anchor="end">${escapeXml(y.tickFormat(8)(t))}</text>`),
    `<text class="axis-label" transform="translate(-58,${plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(options.qualityLabel ?? 'Mean quality')}</text></g>`,
  ];
  const legend: { label: string; color: string; dash?: string; marker?: boolean }[] = [];
  parts.push(`<path class="single-hull" d="${path(result.singleHull.hull)}" fill="none" stroke="#777777" stroke-width="1.6" stroke-dasharray="7 5"/>`);
  legend.push({ label: `single-model hull (AIQ ${result.singleHull.aiq.toFixed(3)})`, color: '#777777', dash: '7 5' });
  parts.push(`<path class="oracle" d="${path(result.oracle.hull)}" fill="none" stroke="#000000" stroke-width="1.4" stroke-dasharray="2 3"/>`);
  legend.push({ label: `oracle (AIQ ${result.oracle.aiq.toFixed(3)})`, color: '#000000', dash: '2 3' });
  for (const single of result.singles) {
    parts.push(`<circle class="single" cx="${fixed(x(single.cost))}" cy="${fixed(y(single.quality))}" r="3.6" fill="#555555"/>`);
    parts.push(`<text x="${fixed(x(single.cost) + 5)}" y="${fixed(y(single.quality) - 5)}" font-size="9" fill="#555555">${escapeXml(single.model.split('/').pop()!)}</text>`);
  }
  routers.forEach(([name, router], index) => {
    const color = PALETTE[index % PALETTE.length];
    parts.push(`<path class="router" data-router="${escapeXml(name)}" d="${path(router.hull)}" fill="none" stroke="${color}" stroke-width="2.2"/>`);
    for (const point of router.points) parts.push(`<circle cx="${fixed(x(point.cost))}" cy="${fixed(y(point.quality))}" r="2" fill="${color}" fill-opacity="0.6"/>`);
    legend.push({ label: `${name} (AIQ ${router.aiq.toFixed(3)}, above the hull on ${(100 * router.shareAboveHull).toFixed(0)}% of the costs)`, color, marker: true });
  });
  parts.push('</g>', `<g class="legend" transform="translate(${margin.left + plotWidth + 18},${margin.top + 6})">`);
  let rowY = 0;
  for (const entry of legend) {
    parts.push(`<line x1="0" x2="26" y1="${rowY}" y2="${rowY}" stroke="${entry.color}" stroke-width="2"${entry.dash ? ` stroke-dasharray="${entry.dash}"` : ''}/>`);
    if (entry.marker) parts.push(`<circle cx="13" cy="${rowY}" r="3.2" fill="${entry.color}"/>`);
    const lines = wrap(entry.label, 30);
    lines.forEach((text, i) => parts.push(`<text x="32" y="${rowY + 4 + 14 * i}">${escapeXml(text)}</text>`));
    rowY += 14 * (lines.length - 1) + 24;
  }
  parts.push('</g>');
  parts.push(`<text x="${margin.left}" y="${height - 6}" font-size="10" fill="#666">n = ${result.prompts}; knob swept 0..1; AIQ over $${result.range.low.toPrecision(3)}-$${result.range.high.toPrecision(3)} per request; hulls are upper convex hulls</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
