/**
 * A local model as the weak side: any OpenAI-compatible server (Ollama, vLLM, llama.cpp,
 * LM Studio, Together...) bound to a model id with `endpoints`; OpenAI as the strong side.
 *
 *   ollama pull llama3.1
 *   OPENAI_API_KEY=sk-... npm run example -- examples/local-openai-compatible.ts "What is 17 * 23?"
 *
 * LOCAL_BASE_URL (default http://localhost:11434/v1, Ollama), LOCAL_MODEL (default llama3.1).
 * Set ROUTELLM_EXAMPLE_ROUTER=random to try it without the shipped router weights.
 */
import { Controller } from 'routellm';

const router = process.env.ROUTELLM_EXAMPLE_ROUTER ?? 'ridge';
const localModel = process.env.LOCAL_MODEL ?? 'llama3.1';
const prompts = process.argv.length > 2 ? process.argv.slice(2) : ['What is 17 * 23?', 'Prove that the square root of 2 is irrational.'];

const controller = new Controller({
  routers: [router],
  strongModel: 'gpt-4o',
  weakModel: localModel,
  endpoints: { [localModel]: { baseURL: process.env.LOCAL_BASE_URL ?? 'http://localhost:11434/v1' } },
});

for (const prompt of prompts) {
  // The decision alone, without calling a model:
  const decision = await controller.route(prompt, router, 0.5);
  console.log(`${decision.decision.padEnd(6)} (${decision.strong_win_rate.toFixed(3)}) -> ${decision.model}: ${prompt}`);
  const completion = await controller.chat.completions.create({ router, threshold: 0.5, messages: [{ role: 'user', content: prompt }] });
  console.log(`  ${completion.choices[0].message.content}`);
}
console.log(controller.stats().models);
await controller.dispose();
