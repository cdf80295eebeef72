import type Koa from 'koa';

/** A body already parsed by an upstream body parser, if any. */
function parsedBody(ctx: Koa.Context): unknown {
  return (ctx.request as unknown as { body?: unknown }).body;
}

/** Reads the raw request body (up to `limit` bytes); 413 beyond it. */
export async function readRaw(ctx: Koa.Context, limit: number): Promise<Buffer> {
  if (!ctx.req.readable) {
    const pre = (ctx.request as unknown as { rawBody?: string }).rawBody;
    return Buffer.from(pre ?? '');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) ctx.throw(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** application/x-www-form-urlencoded body as a flat record (first value wins). */
export async function readForm(ctx: Koa.Context): Promise<Record<string, string>> {
  const pre = parsedBody(ctx);
  if (pre && typeof pre === 'object' && !Buffer.isBuffer(pre)) {
    return Object.fromEntries(
      Object.entries(pre as Record<string, unknown>).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]),
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams((await readRaw(ctx, 16 * 1024)).toString('utf8'))) {
    if (!(k in out)) out[k] = v;
  }
  return out;
}

/** JSON body; undefined when empty; throws SyntaxError when malformed. */
export async function readJson(ctx: Koa.Context, limit = 10 * 1024 * 1024): Promise<unknown> {
  // An upstream parser has consumed the stream: use what it parsed.
  if (!ctx.req.readable) return parsedBody(ctx);
  const raw = await readRaw(ctx, limit);
  return raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
}
