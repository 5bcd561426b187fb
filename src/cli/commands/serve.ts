import { BASELINE_ROUTER } from '../../routers/registry.js';
import type { Router } from '../../routers/types.js';
import type { startServer } from '../../server/server.js';
import { serverConfigSchema } from '../../server/config.js';
import { parseOptions } from '../../options.js';
import { CliUsageError, SHARED_ROUTER_FLAGS, assertPositionals, formatHelp, listFlag, numberFlag, parseArgs, stringFlag } from '../args.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { applyServerEmbeddingDefaults } from '../../embedders/server-defaults.js';
import { buildModelRouter, MODELS_FLAGS, modelsFlag, pricesFlag } from '../models.js';
import { applyEmbedWorkersFlag, buildRouter, defaultRouterName, processIo, readConfigFile } from '../shared.js';
import type { CliCommand, CliIo, SharedRouterFlags } from '../shared.js';

const spec: CommandSpec = {
  name: 'serve',
  summary: 'OpenAI-compatible HTTP server that routes each request to the strong or the weak model',
  usage: 'routellm serve [--routers mf ...] [--strong-model M] [--weak-model M] [--base-url URL] [--port 6060]',
  flags: [
    { name: 'routers', type: 'list', value: '<names...>', description: 'routers to serve (default: the best shipped one); clients pick one with model "router-<name>-<threshold>"' },
    { name: 'base-url', type: 'string', value: '<url>', description: 'one OpenAI-compatible upstream for both models (else by model id: OpenAI, Anthropic, or config endpoints)' },
    { name: 'api-key', type: 'string', value: '<key>', description: 'key for --base-url and OpenAI (default: OPENAI_API_KEY; ANTHROPIC_API_KEY for claude models); never logged' },
    { name: 'host', type: 'string', value: '<host>', description: 'interface to listen on (default 127.0.0.1; 0.0.0.0 for all)' },
    { name: 'port', type: 'number', value: '<port>', description: 'port (default 6060; 0 picks a free one)' },
    { name: 'auth-token', type: 'string', value: '<token>', description: 'clients must send "Authorization: Bearer <token>" on /v1/*' },
    { name: 'max-body-bytes', type: 'number', value: '<n>', description: 'largest request body accepted (default 1048576); larger get 413' },
    { name: 'fallback', type: 'boolean', description: 'when the chosen model fails (after SDK retries), answer with the other one' },
    { name: 'route-turns', type: 'number', value: '<k>', description: 'route on the last k conversation messages (default 1: the last user message)' },
    { name: 'timeout-ms', type: 'number', value: '<ms>', description: 'upstream request timeout' },
    { name: 'max-retries', type: 'number', value: '<n>', description: 'upstream SDK retries (default 2)' },
    { name: 'stream-idle-timeout-ms', type: 'number', value: '<ms>', description: 'longest wait between stream chunks before the stream fails (default: --timeout-ms, else 10 minutes)' },
    { name: 'max-route-prompts', type: 'number', value: '<n>', description: 'most prompts in one POST /v1/route request (default 10000)' },
    { name: 'log-level', type: 'string', value: '<level>', description: 'JSON request log on stderr: silent, error, warn, info (default: one line per request), debug' },
    { name: 'log-dir', type: 'string', value: '<dir>', description: 'traffic log: completions.jsonl (routed text, decision, models) and feedback.jsonl (battles for routellm train), rotated by size; no keys or answers' },
    { name: 'log-max-bytes', type: 'number', value: '<n>', description: 'size at which a traffic log file rotates (default 16777216)' },
    { name: 'log-max-files', type: 'number', value: '<n>', description: 'files kept per traffic log, the oldest deleted (default 5)' },
    { name: 'learn', type: 'boolean', description: 'fold each POST /v1/feedback into routers that learn online (sw_ranking) at once' },
    ...MODELS_FLAGS,
    ...SHARED_ROUTER_FLAGS,
  ],
  notes: [
    'Environment (flags win): ROUTELLM_ROUTERS, ROUTELLM_STRONG_MODEL, ROUTELLM_WEAK_MODEL, ROUTELLM_BASE_URL, ROUTELLM_API_KEY,',
    'ROUTELLM_HOST, ROUTELLM_PORT, ROUTELLM_AUTH_TOKEN, ROUTELLM_MAX_BODY_BYTES, ROUTELLM_LOG_LEVEL, ROUTELLM_CONFIG; provider keys OPENAI_API_KEY, ANTHROPIC_API_KEY.',
    'Config file: router name -> router options, plus an optional "server" entry with any server setting, e.g.',
    '  server: { strongModel: gpt-4o, weakModel: llama3, endpoints: { llama3: { baseURL: "http://localhost:11434/v1" } },',
    '            prices: { gpt-4o: { input: 2.5, output: 10 } }, thresholds: { ridge: 0.55 }, port: 6060 }',
    'Endpoints: POST /v1/chat/completions (stream: true for server-sent events), POST /v1/route, POST /v1/feedback, GET /v1/models (the ids of',
    'server.thresholds), GET /v1/stats, GET /metrics (Prometheus), GET /health; POST /admin/reload (needs --auth-token) or SIGHUP',
    'builds the routers again from the same flags (new weights in the same folders) and swaps them in without dropping a request.',
    'Among N models: --models a b c --prices a=30,b=2.5/10,c=0.6 (or server.models and server.prices); clients send "router-<name>-<knob>"',
    '(or "router-<name>-within-<margin>"), server.thresholds then lists knobs. Environment: ROUTELLM_MODELS.',
    'Embedding routers embed on worker threads by default (one per core beyond the first, at most 4; --embed-workers 0: in the event loop).',
    'Example: routellm serve --routers mf --strong-model gpt-4o --weak-model gpt-4o-mini',
  ].join('\n'),
};

function envNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new CliUsageError(`${name} must be a number, got "${text}".`);
  return value;
}

function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

/** Server settings from flags, then environment, then the config file's `server` entry. */
function serverSettings(args: ParsedArgs, fileServer: Record<string, unknown>): Record<string, unknown> {
  const env = process.env;
  const envRouters = env.ROUTELLM_ROUTERS?.split(/[\s,]+/).filter(Boolean);
  const fromEnv = defined({
    routers: envRouters?.length ? envRouters : undefined,
    strongModel: env.ROUTELLM_STRONG_MODEL || undefined,
    weakModel: env.ROUTELLM_WEAK_MODEL || undefined,
    baseURL: env.ROUTELLM_BASE_URL || undefined,
    apiKey: env.ROUTELLM_API_KEY || undefined,
    host: env.ROUTELLM_HOST || undefined,
    port: envNumber('ROUTELLM_PORT'),
    authToken: env.ROUTELLM_AUTH_TOKEN || undefined,
    maxBodyBytes: envNumber('ROUTELLM_MAX_BODY_BYTES'),
    logLevel: env.ROUTELLM_LOG_LEVEL || undefined,
    models: env.ROUTELLM_MODELS?.split(/[\s,]+/).filter(Boolean),
  });
  const fromFlags = defined({
    routers: listFlag(args, 'routers'),
    strongModel: stringFlag(args, 'strong-model'),
    weakModel: stringFlag(args, 'weak-model'),
    baseURL: stringFlag(args, 'base-url'),
    apiKey: stringFlag(args, 'api-key'),
    host: stringFlag(args, 'host'),
    port: numberFlag(args, 'port'),
    authToken: stringFlag(args, 'auth-token'),
    maxBodyBytes: numberFlag(args, 'max-body-bytes'),
    fallback: args.flags.fallback === true ? true : undefined,
    routeTurns: numberFlag(args, 'route-turns'),
    timeoutMs: numberFlag(args, 'timeout-ms'),
    maxRetries: numberFlag(args, 'max-retries'),
    streamIdleTimeoutMs: numberFlag(args, 'stream-idle-timeout-ms'),
    maxRoutePrompts: numberFlag(args, 'max-route-prompts'),
    logLevel: stringFlag(args, 'log-level'),
    logDir: stringFlag(args, 'log-dir'),
    logMaxBytes: numberFlag(args, 'log-max-bytes'),
    logMaxFiles: numberFlag(args, 'log-max-files'),
    learn: args.flags.learn === true ? true : undefined,
    models: modelsFlag(args),
  });
  const settings = { ...fileServer, ...fromEnv, ...fromFlags };
  if (args.flags.prices !== undefined) {
    const models = Array.isArray(settings.models) ? (settings.models as string[]) : [];
    if (models.length === 0) throw new CliUsageError('--prices applies with --models (or server.models); two-model prices go in the config file.', '--prices');
    settings.prices = { ...(fileServer.prices as object | undefined), ...pricesFlag(args, models, false) };
  }
  return settings;
}

/** A URL without user name and password, for printing. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/** Resolves when the process gets SIGINT or SIGTERM. */
function shutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/**
 * Runs `routellm serve` until SIGINT/SIGTERM, then shuts down gracefully (requests in flight
 * finish). Prints `routellm serve: listening on <url> ...` on stdout once ready.
 */
export async function runServe(argv: string[], io: CliIo = processIo, stop: () => Promise<unknown> = shutdownSignal): Promise<number> {
  const args = parseArgs(argv, spec);
  if (args.help) {
    io.stdout.write(formatHelp(spec));
    return 0;
  }
  assertPositionals(args, spec, 0);
  const configFile = stringFlag(args, 'config') ?? (process.env.ROUTELLM_CONFIG || undefined);
  const file = await readConfigFile(configFile, true);
  const settings = serverSettings(args, file.server);
  if (settings.routers === undefined) {
    const fallbackRouter = defaultRouterName();
    settings.routers = [fallbackRouter];
    if (fallbackRouter === BASELINE_ROUTER) io.stderr.write(`routellm serve: no shipped router weights found; serving the ${BASELINE_ROUTER} router (use --routers)\n`);
  }
  // Validate everything (flags, environment, file) before loading any router.
  const checked = parseOptions(serverConfigSchema, settings, 'serve settings');
  applyEmbedWorkersFlag(args);
  applyServerEmbeddingDefaults();
  const weights = stringFlag(args, 'weights');
  const flags: SharedRouterFlags = { weights, strongModel: checked.strongModel, weakModel: checked.weakModel, config: file.routers, server: file.server };
  const routers: Router[] = [];
  try {
    for (const name of checked.routers) {
      if (typeof name !== 'string') continue;
      routers.push(checked.models ? await buildModelRouter(name, flags, '--routers') : (await buildRouter(name, flags, io)).router);
    }
    // A reload builds the routers from the same flags and config as at start, reading their weights folders again.
    const rebuild = async () => {
      const fresh: Router[] = [];
      try {
        for (const router of routers) fresh.push((await buildRouter(router.name, flags, io)).router);
      } catch (error) {
        await Promise.all(fresh.map((router) => router.dispose()));
        throw error;
      }
      return fresh;
    };
    // Loaded only now: the server brings pino, prom-client and the provider SDKs, which `serve --help`
    // and a rejected flag do not need.
    const { startServer: start } = await import('../../server/server.js');
    const server = await start({
      logLevel: 'info',
      processMetrics: true,
      ...(settings as object),
      routers,
      reload: rebuild,
      logDestination: { write: (line: string) => io.stderr.write(line) },
    } as Parameters<typeof startServer>[0]);
    const onHangUp = () => {
      io.stderr.write('routellm serve: SIGHUP received, reloading the routers\n');
      server.handler.reload().then(
        (names) => io.stderr.write(`routellm serve: reloaded ${names.join(', ')}\n`),
        (error: unknown) => io.stderr.write(`routellm serve: reload failed, the old routers keep serving: ${(error as Error).message}\n`),
      );
    };
    process.on('SIGHUP', onHangUp);
    const deployed = checked.models ? `models: ${checked.models.join(', ')}` : `strong: ${checked.strongModel}; weak: ${checked.weakModel}`;
    const upstream = checked.baseURL ? `, upstream ${withoutCredentials(checked.baseURL)}` : '';
    io.stdout.write(
      `routellm serve: listening on ${server.url} (routers: ${routers.map((router) => router.name).join(', ')}; ${deployed}${upstream}${checked.authToken ? '; bearer token required' : ''})\n`,
    );
    const signal = await stop().finally(() => process.off('SIGHUP', onHangUp));
    io.stderr.write(`routellm serve: ${String(signal ?? 'stop')} received, finishing ${server.inFlight()} request(s) in flight\n`);
    await server.close();
    io.stderr.write('routellm serve: stopped\n');
    return 0;
  } finally {
    await Promise.all(routers.map((router) => router.dispose().catch(() => undefined)));
  }
}

/** The `serve` command module for the dispatcher. */
export const serveCommand: CliCommand = {
  name: 'serve',
  summary: spec.summary,
  usage: spec.usage,
  run: (argv) => runServe(argv),
};
