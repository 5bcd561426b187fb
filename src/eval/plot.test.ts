import { describe, expect, it } from 'vitest';
import { ROUTER_NAMES } from '../routers/registry.js';
import type { EvaluationResult, RouterEvaluation } from './evaluate.js';
import { renderPlotSvg, routerStyle } from './plot.js';

const metrics = { apgr: 0.6, apgrTrapezoid: 0.6, cpt20: 10, cpt50: 40, cpt80: 70 };

function evaluation(name: string, lift: number): RouterEvaluation {
  const points = [0, 50, 100].map((strongPct) => ({ threshold: 1 - strongPct / 100, strongPct, score: 60 + (strongPct / 100) * 20 + lift }));
  return { name, points, runs: 1, ...metrics };
}

function result(routers: RouterEvaluation[]): EvaluationResult {
  return {
    benchmark: 'gsm8k',
    label: 'GSM8K',
    strongModel: 'strong',
    weakModel: 'weak',
    n: 1307,
    unit: 'accuracy-percent',
    strongScore: 80,
    weakScore: 60,
    routers: Object.fromEntries(routers.map((router) => [router.name, router])),
    optimal: { points: [{ threshold: 0, strongPct: 0, score: 60 }, { threshold: 1, strongPct: 30, score: 88 }], ...metrics, apgr: 1.274 },
    noiseFloor: null,
  };
}

/** The stroke, dash and marker element of one router's line in the SVG. */
function drawnAs(svg: string, name: string): string {
  const line = new RegExp(`data-router="${name}" d="[^"]*" fill="none" stroke="([^"]+)" stroke-width="2.2"(?: stroke-dasharray="([^"]+)")?`).exec(svg);
  expect(line, name).not.toBeNull();
  const afterLine = svg.slice(svg.indexOf(line![0]) + line![0].length);
  return `${line![1]} ${line![2] ?? 'solid'} ${/<(circle|rect|polygon|path)/.exec(afterLine)![1]}`;
}

describe('evaluation plot', () => {
  it('draws each router with the same colour, dash and marker whatever the other routers are', () => {
    const alone = renderPlotSvg(result([evaluation('bert', 1)]));
    const withOthers = renderPlotSvg(result([evaluation('mf', 0), evaluation('sw_ranking', 2), evaluation('bert', 1)]));
    expect(drawnAs(withOthers, 'bert')).toBe(drawnAs(alone, 'bert'));
    expect(routerStyle('sw-ranking')).toEqual(routerStyle('sw_ranking'));
  });

  it('gives every built-in router its own colour, dash and marker', () => {
    const styles = ROUTER_NAMES.map(routerStyle);
    for (const key of ['color', 'dash', 'marker'] as const) expect(new Set(styles.map((style) => style[key])).size).toBe(ROUTER_NAMES.length);
  });

  it('explains the optimal curve and writes n with a thousands separator', () => {
    const svg = renderPlotSvg(result([evaluation('random', 0)]));
    expect(svg).toContain('optimal (APGR 1.274)');
    expect(svg).toContain('its APGR can exceed 1');
    expect(svg).toContain('n = 1,307;');
  });
});
