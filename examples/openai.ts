/**
 * Route between two OpenAI models with the learned `mf` router.
 *
 *   OPENAI_API_KEY=sk-... npm run example -- examples/openai.ts "Prove that there are infinitely many primes."
 *
 * Set ROUTELLM_EXAMPLE_ROUTER=random to try it without the shipped router weights.
 */
import { Controller } from 'routellm';

const router = process.env.ROUTELLM_EXAMPLE_ROUTER ?? 'ridge';
const prompt = process.argv[2] ?? 'What is the derivative of x^3 * sin(x)?';

const controller = new Controller({
  routers: [router],
  strongModel: 'gpt-4o',
  weakModel: 'gpt-4o-mini',
  // dollars per 1M tokens: turns on routellm.cost and the savings in stats()
  prices: { 'gpt-4o': { input: 2.5, output: 10 }, 'gpt-4o-mini': { input: 0.15, output: 0.6 } },
});

const completion = await controller.chat.completions.create({
  model: `router-${router}-0.5`,
  messages: [{ role: 'user', content: prompt }],
});

console.log(completion.choices[0].message.content);
console.log('\nrouting:', completion.routellm);
console.log('totals:', controller.stats());
await controller.dispose();
