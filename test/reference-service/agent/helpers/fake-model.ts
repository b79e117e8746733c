import { createServer, type Server } from 'node:http';

/**
 * A tiny OpenAI-compatible chat server for the few tests that need a behaviour the simulator
 * cannot be told to have (a fixed answer per call). Streams `words` one per chunk, then usage.
 */
export interface FakeModel {
  url: string;
  calls: number;
  /** 'ok' answers; 'fail' answers 503; 'reject' answers 400; 'tool' asks for `toolName` first; 'always-tool' asks whenever tools are offered. */
  mode: 'ok' | 'fail' | 'reject' | 'tool' | 'always-tool';
  /** Whether each call offered tools. */
  toolsOffered: boolean[];
  toolName: string;
  words: string[];
  lastHeaders: Record<string, string | string[] | undefined>;
  close(): Promise<void>;
}

export async function startFakeModel(): Promise<FakeModel> {
  const state: Omit<FakeModel, 'url' | 'close'> = {
    calls: 0,
    toolsOffered: [],
    mode: 'ok',
    toolName: 'get_weather',
    words: ['Hello', ' there', '.'],
    lastHeaders: {},
  };
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      state.calls++;
      state.lastHeaders = req.headers;
      const request = JSON.parse(body) as { messages: { role: string }[]; tools?: unknown[] };
      state.toolsOffered.push((request.tools?.length ?? 0) > 0);
      if (state.mode === 'fail' || state.mode === 'reject') {
        res.writeHead(state.mode === 'fail' ? 503 : 400, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: 'unavailable' }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (obj: unknown): boolean => res.write(`data: ${JSON.stringify(obj)}\n\n`);
      const lastRole = request.messages.at(-1)?.role;
      const wantsTool = state.mode === 'always-tool' || (state.mode === 'tool' && lastRole !== 'tool');
      if (wantsTool && request.tools?.length) {
        send({
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  {
                    index: 0,
                    id: 'c1',
                    type: 'function',
                    function: { name: state.toolName, arguments: '{"city":"Lisbon"}' },
                  },
                ],
              },
              finish_reason: null,
            },
          ],
        });
        send({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
      } else {
        for (const w of state.words)
          send({ choices: [{ index: 0, delta: { content: w }, finish_reason: null }] });
        send({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      }
      send({
        choices: [],
        usage: {
          prompt_tokens: 10,
          completion_tokens: state.words.length,
          total_tokens: 10 + state.words.length,
        },
      });
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const fake = Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return fake as FakeModel;
}
