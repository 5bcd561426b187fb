/**
 * The evaluation plot as standalone SVG text: benchmark score against the share of calls sent to
 * the strong model, one line per router, dashed lines for the two models alone, and the optimal
 * router's curve. Scales and line paths come from d3-scale and d3-shape.
 */
import { scaleLinear } from 'd3-scale';
import { line } from 'd3-shape';
import type { SweepPoint } from './metrics.js';
import type { EvaluationResult } from './evaluate.js';
import { formatScore } from './report.js';
import { resolveRouterName, ROUTER_NAMES } from '../routers/registry.js';

/** Size and look of the plot. */
export interface PlotOptions {
  /** Width in pixels (default 860). */
  width?: number;
  /** Height in pixels (default 540). */
  height?: number;
  /** Title (default: the benchmark label). */
  title?: string;
}

/** Router line colours, shared by the plots. */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'down' | 'cross' | 'plus';
const MARKERS: readonly Marker[] = ['circle', 'square', 'triangle', 'diamond', 'down', 'cross', 'plus'];
// Router lines: none of these is the models' dash (7 5) or the optimal curve's (2 3).
const DASHES = ['', '10 3', '4 2', '10 3 2 3', '6 6', '14 4 4 4', '3 3 3 8'];

/** How one router is drawn. */
export interface RouterStyle {
  color: string;
  marker: Marker;
  dash: string;
}

/**
 * A router's style, the same on every plot: built-in routers by their place in the registry's
 * list (a router added later gets the next style), other names by a hash of the name.
 */
export function routerStyle(name: string): RouterStyle {
  const known = (ROUTER_NAMES as readonly string[]).indexOf(resolveRouterName(name) ?? name);
  let slot = known;
  if (slot < 0) {
    slot = ROUTER_NAMES.length;
    for (const character of name) slot = (slot * 31 + character.charCodeAt(0)) >>> 0;
  }
  return { color: PALETTE[slot % PALETTE.length], marker: MARKERS[slot % MARKERS.length], dash: DASHES[slot % DASHES.length] };
}

function markerSvg(marker: Marker, cx: number, cy: number, color: string): string {
  const r = 3.4;
  const points = (coordinates: [number, number][]) => coordinates.map(([dx, dy]) => `${fixed(cx + dx)},${fixed(cy + dy)}`).join(' ');
  switch (marker) {
    case 'circle':
      return `<circle cx="${fixed(cx)}" cy="${fixed(cy)}" r="${r}" fill="${color}"/>`;
    case 'square':
      return `<rect x="${fixed(cx - r)}" y="${fixed(cy - r)}" width="${2 * r}" height="${2 * r}" fill="${color}"/>`;
    case 'triangle':
      return `<polygon points="${points([[0, -r - 1], [r + 0.6, r], [-r - 0.6, r]])}" fill="${color}"/>`;
    case 'down':
      return `<polygon points="${points([[0, r + 1], [r + 0.6, -r], [-r - 0.6, -r]])}" fill="${color}"/>`;
    case 'diamond':
      return `<polygon points="${points([[0, -r - 1], [r + 1, 0], [0, r + 1], [-r - 1, 0]])}" fill="${color}"/>`;
    case 'plus':
      return `<path d="M${fixed(cx - r - 1)},${fixed(cy)}L${fixed(cx + r + 1)},${fixed(cy)}M${fixed(cx)},${fixed(cy - r - 1)}L${fixed(cx)},${fixed(cy + r + 1)}" stroke="${color}" stroke-width="2"/>`;
    case 'cross':
      return `<path d="M${fixed(cx - r)},${fixed(cy - r)}L${fixed(cx + r)},${fixed(cy + r)}M${fixed(cx - r)},${fixed(cy + r)}L${fixed(cx + r)},${fixed(cy - r)}" stroke="${color}" stroke-width="2"/>`;
  }
}

/** Text made safe for SVG content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function unitLabel(unit: string): string {
  if (unit === 'accuracy-percent') return 'Accuracy (%)';
  if (unit === 'grade') return 'MT-Bench score (GPT-4 grade, 1-10)';
  if (unit === 'preference-percent') return 'Preferred (%, ties half)';
  return 'Benchmark score';
}

/** A coordinate with two decimals (0 when not finite). */
export function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : '0';
}

/** Renders the evaluation plot as SVG text (valid standalone SVG 1.1 with named axes). */
export function renderPlotSvg(result: EvaluationResult, options: PlotOptions = {}): string {
  const width = options.width ?? 860;
  const height = options.height ?? 540;
  const margin = { top: 48, right: 230, bottom: 84, left: 72 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const routerEntries = Object.values(result.routers);
  const allScores = [
    result.strongScore,
    result.weakScore,
    ...result.optimal.points.map((point) => point.score),
    ...routerEntries.flatMap((router) => router.points.map((point) => point.score)),
  ].filter(Number.isFinite);
  const low = Math.min(...allScores);
  const high = Math.max(...allScores);
  const pad = (high - low || Math.abs(high) || 1) * 0.08;
  const x = scaleLinear().domain([0, 100]).range([0, plotWidth]);
  const y = scaleLinear().domain([low - pad, high + pad]).range([plotHeight, 0]).nice();
  const path = line<SweepPoint>()
    .x((point) => x(point.strongPct))
    .y((point) => y(point.score));
  const byShare = (points: readonly SweepPoint[]) => [...points].sort((a, b) => a.strongPct - b.strongPct || a.score - b.score);

  const parts: string[] = [];
  parts.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  parts.push(`<title>${escapeXml(options.title ?? result.label)}</title>`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="26" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title ?? result.label)}</text>`);
  parts.push(`<g transform="translate(${margin.left},${margin.top})">`);

  parts.push('<g class="grid" stroke="#e6e6e6" stroke-width="1">');
  for (const tick of x.ticks(10)) parts.push(`<line x1="${fixed(x(tick))}" x2="${fixed(x(tick))}" y1="0" y2="${plotHeight}"/>`);
  for (const tick of y.ticks(8)) parts.push(`<line x1="0" x2="${plotWidth}" y1="${fixed(y(tick))}" y2="${fixed(y(tick))}"/>`);
  parts.push('</g>');

  parts.push(`<g class="axis x-axis" transform="translate(0,${plotHeight})">`);
  parts.push(`<line x1="0" x2="${plotWidth}" y1="0" y2="0" stroke="#333"/>`);
  for (const tick of x.ticks(10)) {
    parts.push(`<line x1="${fixed(x(tick))}" x2="${fixed(x(tick))}" y1="0" y2="5" stroke="#333"/>`);
    parts.push(`<text x="${fixed(x(tick))}" y="19" text-anchor="middle">${tick}</text>`);
  }
  parts.push(`<text class="axis-label" x="${plotWidth / 2}" y="44" text-anchor="middle" font-size="13">Calls to the strong model (%)</text>`);
  parts.push('</g>');

  parts.push('<g class="axis y-axis">');
  parts.push(`<line x1="0" x2="0" y1="0" y2="${plotHeight}" stroke="#333"/>`);
  const yTicks = y.ticks(8);
  const yFormat = y.tickFormat(8);
  for (const tick of yTicks) {
    parts.push(`<line x1="-5" x2="0" y1="${fixed(y(tick))}" y2="${fixed(y(tick))}" stroke="#333"/>`);
    parts.push(`<text x="-9" y="${fixed(y(tick) + 4)}" text-anchor="end">${escapeXml(yFormat(tick))}</text>`);
  }
  parts.push(
    `<text class="axis-label" transform="translate(-52,${plotHeight / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(unitLabel(result.unit))}</text>`,
  );
  parts.push('</g>');

  const legend: { label: string; color: string; dash?: string; marker?: Marker }[] = [];
  for (const [label, score, color] of [
    [`strong: ${result.strongModel}`, result.strongScore, '#444444'],
    [`weak: ${result.weakModel}`, result.weakScore, '#999999'],
  ] as const) {
    parts.push(`<line class="model-line" x1="0" x2="${plotWidth}" y1="${fixed(y(score))}" y2="${fixed(y(score))}" stroke="${color}" stroke-width="1.5" stroke-dasharray="7 5"/>`);
    legend.push({ label: `${label} (${formatScore(score, result.unit)})`, color, dash: '7 5' });
  }

  const optimalPath = path(byShare(result.optimal.points));
  if (optimalPath) {
    parts.push(`<path class="optimal" d="${optimalPath}" fill="none" stroke="#000000" stroke-width="1.5" stroke-dasharray="2 3"/>`);
    legend.push({ label: `optimal (APGR ${result.optimal.apgr?.toFixed(3) ?? 'n/a'})`, color: '#000000', dash: '2 3' });
  }

  for (const router of routerEntries) {
    const { color, marker, dash } = routerStyle(router.name);
    const points = byShare(router.points);
    const d = path(points);
    const dashed = dash ? ` stroke-dasharray="${dash}"` : '';
    if (d) parts.push(`<path class="router" data-router="${escapeXml(router.name)}" d="${d}" fill="none" stroke="${color}" stroke-width="2.2"${dashed}/>`);
    for (const point of points) parts.push(markerSvg(marker, x(point.strongPct), y(point.score), color));
    legend.push({ label: `${router.name} (APGR ${router.apgr?.toFixed(3) ?? 'n/a'})`, color, dash, marker });
  }
  parts.push('</g>');

  const legendX = margin.left + plotWidth + 18;
  parts.push(`<g class="legend" transform="translate(${legendX},${margin.top + 6})">`);
  let rowY = 0;
  legend.forEach((entry) => {
    parts.push(
      `<line x1="0" x2="26" y1="${rowY}" y2="${rowY}" stroke="${entry.color}" stroke-width="2"${entry.dash ? ` stroke-dasharray="${entry.dash}"` : ''}/>`,
    );
    if (entry.marker) parts.push(markerSvg(entry.marker, 13, rowY, entry.color));
    const [first, ...rest] = wrap(entry.label, 28);
    parts.push(`<text x="32" y="${rowY + 4}">${escapeXml(first)}</text>`);
    rest.forEach((chunk, chunkIndex) => parts.push(`<text x="32" y="${rowY + 4 + 14 * (chunkIndex + 1)}">${escapeXml(chunk)}</text>`));
    rowY += 14 * rest.length + 24;
  });
  parts.push('</g>');
  parts.push(
    `<text x="${margin.left}" y="${height - 20}" font-size="10" fill="#666">n = ${result.n.toLocaleString('en-US')}; thresholds at the 10-quantile edges of each router's scores; random averaged over seeds</text>`,
    `<text x="${margin.left}" y="${height - 6}" font-size="10" fill="#666">optimal: each prompt to the strong model only where its answer is better, with hindsight; it can beat the strong model alone, so its APGR can exceed 1</text>`,
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Splits a legend label into at most three lines of about `width` characters. */
export function wrap(text: string, width: number): string[] {
  const words = text.split(/(?<=[\s/])/);
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    if ((current + word).length > width && current !== '') {
      lines.push(current.trimEnd());
      current = word;
    } else current += word;
  }
  if (current) lines.push(current.trimEnd());
  return lines.slice(0, 3);
}
