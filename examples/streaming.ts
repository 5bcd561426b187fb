/**
 * Streaming: `stream: true` returns an async iterable of OpenAI chunks, as the openai client
 * does; each chunk carries `routellm` (the decision), and breaking out of the loop cancels the
 * upstream request.
 *
 *   OPENAI_API_KEY=sk-... npm run example -- examples/streaming.ts "Tell me a short story about a lighthouse."
 *
 * Set ROUTELLM_EXAMPLE_ROUTER=random to try it without the shipped router weights.
 */
import { Controller } from 'routellm';

const router = process.env.ROUTELLM_EXAMPLE_ROUTER ?? 'ridge';
const prompt = process.argv[2] ?? 'Tell me a short story about a lighthouse keeper.';

const controller = new Controller({ routers: [router], strongModel: 'gpt-4o', weakModel: 'gpt-4o-mini' });

const stream = await controller.chat.completions.create({
  model: `router-${router}-0.5`,
  messages: [{ role: 'user', content: prompt }],
  stream: true,
  stream_options: { include_usage: true },
});

console.log(`[${stream.routellm.decision} -> ${stream.routellm.model}, strong win rate ${stream.routellm.strong_win_rate.toFixed(3)}]`);
for await (const chunk of stream) {
  process.stdout.write(chunk.choices[0]?.delta.content ?? '');
  if (chunk.usage) console.log('\n\nusage:', chunk.usage);
}
await controller.dispose();
