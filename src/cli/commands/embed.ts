import { stringFlag } from '../args.js';
import type { CommandSpec } from '../args.js';
import { parseCommandArgs, processIo, readPromptJob, commandProgress, writeFileAtomic } from '../shared.js';
import type { CliCommand, CliIo } from '../shared.js';

const spec: CommandSpec = {
  name: 'embed',
  summary: 'add each prompt\'s embedding to a JSON Lines file',
  usage: 'routellm embed [--embedder use-lite] --input <file.jsonl> --output <file.jsonl>',
  flags: [
    {
      name: 'embedder',
      type: 'string',
      value: '<id>',
      description: `embedder id: use-lite (default, offline), openai[:<model>] (needs OPENAI_API_KEY), transformers:<folder or hub id>`,
    },
    { name: 'input', type: 'string', value: '<file.jsonl>', description: 'one JSON object per line with a "prompt" string (other fields are kept)' },
    { name: 'output', type: 'string', value: '<file.jsonl>', description: 'the input objects in the same order, each with "embedding" (array of numbers) added' },
    { name: 'batch-size', type: 'number', value: '<n>', description: 'prompts per batch (default 32)' },
  ],
  notes: 'The output is written to a temporary file and renamed when complete: a failed run leaves nothing behind.',
};

/** Runs `routellm embed`. */
export async function runEmbed(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseCommandArgs(argv, spec, io, 0);
  if (!args) return 0;
  const { records, output, batchSize } = await readPromptJob(args, spec, 32);
  const { createEmbedder, DEFAULT_EMBEDDER } = await import('../../embedders/registry.js');
  const embedder = await createEmbedder(stringFlag(args, 'embedder') ?? DEFAULT_EMBEDDER);
  try {
    const progress = commandProgress(io, records.length, `embedding with ${embedder.id}`);
    const lines: string[] = [];
    for (let start = 0; start < records.length; start += batchSize) {
      const batch = records.slice(start, start + batchSize);
      const vectors = await embedder.embed(batch.map((record) => record.prompt));
      batch.forEach((record, index) => {
        const embedding = Array.from(vectors.subarray(index * embedder.dimension, (index + 1) * embedder.dimension));
        lines.push(JSON.stringify({ ...record.value, embedding }));
      });
      progress.update(start + batch.length);
    }
    progress.finish();
    await writeFileAtomic(output, lines.length ? `${lines.join('\n')}\n` : '');
    return 0;
  } finally {
    await embedder.dispose();
  }
}

/** `routellm embed`. */
export const embedCommand: CliCommand = { name: spec.name, summary: spec.summary, usage: spec.usage, run: (argv) => runEmbed(argv) };
