/**
 * Route between two Claude models: OpenAI-shaped requests and responses, Anthropic underneath
 * (system messages, stop sequences, tools and usage are translated both ways).
 *
 *   ANTHROPIC_API_KEY=sk-ant-... npm run example -- examples/anthropic.ts "Write a haiku about routers."
 *
 * Set ROUTELLM_EXAMPLE_ROUTER=random to try it without the shipped router weights.
 */
import { Controller } from 'routellm';

const router = process.env.ROUTELLM_EXAMPLE_ROUTER ?? 'ridge';
const prompt = process.argv[2] ?? 'Explain the difference between a mutex and a semaphore.';

const controller = new Controller({
  routers: [router],
  strongModel: 'claude-opus-4-7',
  weakModel: 'claude-haiku-4-5',
  fallback: true, // if the chosen model is overloaded after the SDK's retries, ask the other one
});

const completion = await controller.chat.completions.create({
  model: `router-${router}-0.5`,
  messages: [
    { role: 'system', content: 'Answer in at most three sentences.' },
    { role: 'user', content: prompt },
  ],
  max_tokens: 300,
  stop: ['\n\n\n'],
});

console.log(completion.choices[0].message.content);
console.log('\nanswered by', completion.model, 'finish:', completion.choices[0].finish_reason, 'usage:', completion.usage);
console.log('routing:', completion.routellm);
await controller.dispose();
