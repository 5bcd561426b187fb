/**
 * Local stand-ins for the README guide "A router for your own pair": one OpenAI-compatible server
 * that plays the strong model, the weak model and the judge, and a prompt log of two kinds (the
 * weak model gives up on proofs, equations and calculus; the judge rates that [[1]], the rest [[5]]).
 *
 *   npx tsx examples/own-traffic-stand-ins.ts /tmp/guide
 *
 * writes /tmp/guide/prompts.jsonl (500 prompts) and serves on a free port of 127.0.0.1 until Ctrl-C
 * (it prints the base URL to pass as --base-url).
 * With real models, skip this file: point `routellm label` at your providers instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFakeOpenAIServer } from '../test/helpers/fake-openai-server.js';
import { standInHandler, twoKindPrompts } from '../test/helpers/label-stand-ins.js';

const folder = process.argv[2] ?? 'guide';
mkdirSync(folder, { recursive: true });
const prompts = twoKindPrompts(500).map(({ prompt }) => JSON.stringify({ prompt }));
writeFileSync(path.join(folder, 'prompts.jsonl'), `${prompts.join('\n')}\n`);
const server = await startFakeOpenAIServer({ handler: standInHandler({ weak: 'small-model', judge: 'judge-model' }), recordRequests: false });
process.stdout.write(`prompts: ${path.join(folder, 'prompts.jsonl')}; stand-ins at ${server.baseURL} (strong: big-model, weak: small-model, judge: judge-model)\n`);
