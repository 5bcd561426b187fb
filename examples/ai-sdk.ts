/**
 * routellm inside the Vercel AI SDK: a routed model is an AI SDK language model, so
 * `generateText`, `streamText`, tools and structured output work as with any provider's model.
 * Each call goes to the strong or the weak model; `providerMetadata.routellm` says which and why.
 *
 *   npm install ai @ai-sdk/openai @ai-sdk/anthropic
 *   OPENAI_API_KEY=sk-... ANTHROPIC_API_KEY=sk-ant-... npm run example -- examples/ai-sdk.ts
 *
 * Set ROUTELLM_EXAMPLE_ROUTER=random to try it without the shipped router weights.
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
