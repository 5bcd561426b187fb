import { describe, expect, it } from 'vitest';
import { emptyCounts, eloRatings, eloWinProbability, fitBradleyTerry, winProbability } from '../bradley-terry.js';
import { referenceEloFit, type ReferenceBattle } from './reference.js';
import { mulberry32 } from '../../train/random.js';

function rng(seed: number): () => number {
  return mulberry32(seed >>> 0);
}

/** Random battles among `players` with hidden strengths; ties about a fifth of the time. */
function randomBattles(random: () => number, players: number, count: number, allowSelf: boolean): ReferenceBattle[] {
  const strength = Array.from({ length: players }, () => random() * 3);
  const battles: ReferenceBattle[] = [];
  while (battles.length < count) {
    const a = Math.floor(random() * players);
    const b = Math.floor(random() * players);
    if (a === b && !allowSelf) continue;
    const pa = 1 / (1 + Math.pow(10, strength[b] - strength[a]));
    const roll = random();
    const winner = roll < 0.2 ? (random() < 0.5 ? 2 : 3) : random() < pa ? 0 : 1;
    battles.push({ a, b, winner });
  }
  return battles;
}

function aggregate(battles: readonly ReferenceBattle[], weights: ArrayLike<number>, players: number, anchored: boolean) {
  const counts = emptyCounts(players, anchored);
  battles.forEach((battle, n) => {
    const w = weights[n];
    const tie = battle.winner >= 2;
    if (battle.a === battle.b) {
      if (!anchored) return;
      // The original's row keeps only -ln10: label 1 (A won) reads as "the anchor beat this player".
      if (battle.winner === 0) counts.anchorLosses![battle.a] += 2 * w;
      else if (battle.winner === 1) counts.anchorWins![battle.a] += 2 * w;
      else {
        counts.anchorLosses![battle.a] += w;
        counts.anchorWins![battle.a] += w;
      }
      return;
    }
    if (tie) {
      counts.wins[battle.a * players + battle.b] += w;
      counts.wins[battle.b * players + battle.a] += w;
    } else if (battle.winner === 0) counts.wins[battle.a * players + battle.b] += 2 * w;
    else counts.wins[battle.b * players + battle.a] += 2 * w;
  });
  return counts;
}

describe('Bradley-Terry fit from aggregated counts', () => {
  it('matches the per-battle reference (duplicated battles, ties split, weights) to 1e-4 in ratings and win rates', () => {
    const random = rng(11);
    for (let trial = 0; trial < 12; trial++) {
      const players = 2 + Math.floor(random() * 9);
      const battles = randomBattles(random, players, 150 + Math.floor(random() * 400), false);
      const weights = battles.map(() => 10 * Math.pow(10, random() * 2 - 1));
      const reference = referenceEloFit(battles, weights, players);
      const fast = eloRatings(fitBradleyTerry(aggregate(battles, weights, players, false)).beta);
      for (let i = 0; i < players; i++) expect(Math.abs(fast[i] - reference[i])).toBeLessThan(1e-4);
      for (let i = 0; i < players; i++) {
        for (let j = 0; j < players; j++) {
          const expected = eloWinProbability(reference[i], reference[j]);
          const actual = winProbability(fitBradleyTerry(aggregate(battles, weights, players, false)).beta, i, j);
          expect(Math.abs(actual - expected)).toBeLessThan(1e-4);
        }
      }
      // sanity: the ratings are not trivially equal
      expect(Math.max(...reference) - Math.min(...reference)).toBeGreaterThan(1);
    }
  });

  it('matches the reference in the original code path where same-tier battles anchor a tier', () => {
    const random = rng(5);
    for (let trial = 0; trial < 6; trial++) {
      const players = 2 + Math.floor(random() * 6);
      const battles = randomBattles(random, players, 300, true);
      const weights = battles.map(() => 1 + random() * 99);
      const reference = referenceEloFit(battles, weights, players, { sameTierBattles: 'anchor' });
      const fast = eloRatings(fitBradleyTerry(aggregate(battles, weights, players, true)).beta);
      for (let i = 0; i < players; i++) expect(Math.abs(fast[i] - reference[i])).toBeLessThan(1e-4);
    }
  });

  it('is on the Elo scale: 400 points = 10:1 odds, mean rating 1000', () => {
    // A beats B 10 times for every win of B (ties none): beta gap log10(10) = 1, Elo gap 400.
    const counts = emptyCounts(2);
    counts.wins[0 * 2 + 1] = 20;
    counts.wins[1 * 2 + 0] = 2;
    const ratings = eloRatings(fitBradleyTerry(counts).beta);
    expect(ratings[0] - ratings[1]).toBeCloseTo(400, 6);
    expect((ratings[0] + ratings[1]) / 2).toBeCloseTo(1000, 9);
    expect(eloWinProbability(ratings[0], ratings[1])).toBeCloseTo(10 / 11, 9);
  });

  it('does not depend on the overall scale of the weights', () => {
    const random = rng(3);
    const battles = randomBattles(random, 5, 200, false);
    const weights = battles.map(() => random() + 0.1);
    const a = fitBradleyTerry(aggregate(battles, weights, 5, false)).beta;
    const b = fitBradleyTerry(aggregate(battles, weights.map((w) => w * 1000), 5, false)).beta;
    for (let i = 0; i < 5; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-9);
  });

  it('stays finite for an undefeated player, a pair that never met and disconnected groups', () => {
    const counts = emptyCounts(5);
    counts.wins[0 * 5 + 1] = 6; // 0 never loses
    counts.wins[1 * 5 + 2] = 3;
    counts.wins[2 * 5 + 1] = 3; // 0 and 2 never met
    counts.wins[3 * 5 + 4] = 2;
    counts.wins[4 * 5 + 3] = 1; // {3, 4} is cut off from the others
    const fit = fitBradleyTerry(counts);
    expect(fit.converged).toBe(true);
    for (const value of fit.beta) expect(Number.isFinite(value)).toBe(true);
    expect(winProbability(fit.beta, 0, 1)).toBeGreaterThan(1 - 1e-6);
    expect(winProbability(fit.beta, 1, 2)).toBeCloseTo(0.5, 9);
    // each cut-off group is centred on its own: 3 and 4 average to zero, and their gap is log10(2)
    expect(fit.beta[3] + fit.beta[4]).toBeCloseTo(0, 9);
    expect(fit.beta[3] - fit.beta[4]).toBeCloseTo(Math.log10(2), 6);
    expect(winProbability(fit.beta, 2, 2)).toBe(0.5);
  });

  it('gives zeros with no battles', () => {
    const fit = fitBradleyTerry(emptyCounts(3));
    expect([...fit.beta]).toEqual([0, 0, 0]);
  });
});
