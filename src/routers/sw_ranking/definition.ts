import { defineRouter } from '../definition.js';
import { swRankingRouterOptionsSchema } from './options.js';
import type { TrainSwRankingResult } from './train.js';

/** The `sw_ranking` router: similarity-weighted Elo over a battle index. */
export const swRankingRouter = defineRouter({
  name: 'sw_ranking',
  aliases: ['sw-ranking'],
  summary: 'similarity-weighted Elo: a Bradley-Terry fit over the battles nearest the prompt',
  optionsSchema: swRankingRouterOptionsSchema,
  create: async (options) => (await import('./index.js')).createSwRankingRouter(options as object),
  scoresModelPair: true,
  scoresModels: true,
  weights: true,
  trainer: {
    describe: 'battle index with tiers for similarity-weighted Elo (trainSwRanking)',
    refuses: { epochs: 'has no epochs (it stores battles)' },
    train: async (options) => (await import('./train.js')).trainSwRanking(options as never),
    summary: (details) => ({ battles_read: (details as TrainSwRankingResult['details']).battlesRead }),
  },
});
