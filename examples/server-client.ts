/**
 * Any OpenAI client can use `routellm serve`: start the server, then point the client at it.
 *
 *   OPENAI_API_KEY=sk-... npx routellm serve --routers mf --strong-model gpt-4o --weak-model gpt-4o-mini
 *   npm run example -- examples/server-client.ts
 *
 * ROUTELLM_URL (default http://127.0.0.1:6060/v1), ROUTELLM_TOKEN (when the server has --auth-token).
 */
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.ROUTELLM_URL ?? 'http://127.0.0.1:6060/v1', apiKey: process.env.ROUTELLM_TOKEN ?? 'none' });

const models = [];
for await (const model of client.models.list()) models.push(model.id);
console.log('served:', models.join(', '));

// The listed ids come from the server's `thresholds` setting and work as they are.
const model = models.find((id) => id.startsWith('router-')) ?? 'router-ridge-0.5';
const completion = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: 'Name three sorting algorithms.' }],
});
console.log(completion.choices[0].message.content);
console.log('routing:', (completion as unknown as { routellm: unknown }).routellm);
