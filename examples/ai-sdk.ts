/**
 * routellm inside the Vercel AI SDK: a routed model is an AI SDK language model, so
 * `generateText`, `streamText`, tools and structured output work as with any provider's model.
 * Each call goes to the strong or the weak model; `providerMetadata.routellm` says which and why.
 * The second half chooses among three models by a cost-quality knob (the N-model form).
 *
 *   npm install ai @ai-sdk/openai @ai-sdk/anthropic
 *   OPENAI_API_KEY=sk-... ANTHROPIC_API_KEY=sk-ant-... npm run example -- examples/ai-sdk.ts
 *
 * Set ROUTELLM_EXAMPLE_ROUTER=random to try it without the shipped router weights (ridge, quality).
 */
import { anthropic } from '@ai-sdk/anthropic';
import { openai } from '@ai-sdk/openai';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { createRoutedModel } from 'routellm/ai-sdk';
import { calibrateThreshold } from 'routellm';

const router = process.env.ROUTELLM_EXAMPLE_ROUTER ?? 'ridge';

// Send about 30% of traffic like the router's calibration sample to the strong model.
const calibration = await calibrateThreshold({ router, strongModelPct: 0.3 });
const model = createRoutedModel({ router, threshold: calibration, strong: openai('gpt-4o'), weak: anthropic('claude-haiku-4-5') });
console.log(`model ${model.modelId}`);

for (const prompt of ['What is the capital of France?', 'Prove that the square root of 2 is irrational.']) {
  const { text, providerMetadata, usage } = await generateText({ model, prompt });
  const decision = providerMetadata?.routellm;
  console.log(`\n[${decision?.decision} -> ${decision?.model}, score ${Number(decision?.score).toFixed(3)}] ${usage.totalTokens} tokens`);
  // Fallback is on by default: when the chosen model failed (no answer, 429, 5xx), the other one answered.
  if (decision?.fallback) console.log(`fell back: ${JSON.stringify(decision.fallback)}`);
  console.log(text);
}

// Streaming, with a tool the chosen model may call; the decision arrives with the finish metadata.
const result = streamText({
  model,
  prompt: 'What is the weather in Oslo, and should I bring an umbrella?',
  tools: {
    weather: tool({
      description: 'The current weather in a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => ({ city, forecast: 'light rain', celsius: 7 }),
    }),
  },
  stopWhen: stepCountIs(3),
});
for await (const piece of result.textStream) process.stdout.write(piece);
console.log('\n', (await result.providerMetadata)?.routellm);
await model.dispose();

// Among N models: the quality router predicts each model's result from the prompt, by the names
// its RouterBench weights know; each name is bound to a model of today. Prices (dollars per 1M
// input/output tokens) are the bound models' own. knob 0 is always the cheapest model, 1 the
// best predicted; `withinBest: 0.05` would take the cheapest within 0.05 of the best instead.
const amongThree = createRoutedModel({
  router: router === 'random' ? 'random' : 'quality',
  models: {
    'gpt-4-1106-preview': openai('gpt-4o'),
    'claude-instant-1': anthropic('claude-haiku-4-5'),
    'gpt-3.5-turbo-1106': openai('gpt-4o-mini'),
  },
  prices: {
    'gpt-4-1106-preview': { input: 2.5, output: 10 },
    'claude-instant-1': { input: 1, output: 5 },
    'gpt-3.5-turbo-1106': { input: 0.15, output: 0.6 },
  },
  knob: 0.7,
});
await amongThree.ready(); // builds the router and checks that it knows every model name
for (const prompt of ['Translate "good morning" into Italian.', 'Write a Python function that merges overlapping intervals, with tests.']) {
  const { text, providerMetadata } = await generateText({ model: amongThree, prompt });
  const choice = providerMetadata?.routellm as { chosen: string; model: string; scores: Record<string, number> } | undefined;
  const scores = Object.entries(choice?.scores ?? {}).map(([name, score]) => `${name} ${score.toFixed(2)}`);
  console.log(`\n[${amongThree.modelId}: ${choice?.chosen} -> ${choice?.model}; scores ${scores.join(', ')}]`);
  console.log(text);
}
await amongThree.dispose();
