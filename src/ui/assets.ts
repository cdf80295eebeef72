/**
 * Static files for the pages (`/assets/<name>`). The folder is read once into memory and only those
 * exact names are served, so no request path ever reaches the file system (no traversal by
 * construction). Strong ETags from the content; a short public cache with revalidation, since
 * the names carry no version.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export const ASSET_DIR = fileURLToPath(new URL('./assets/', import.meta.url));
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    const path = join(dir, name);
    if (!NAME.test(name) || name.includes('..') || type === undefined || !statSync(path).isFile()) continue;
    const body = readFileSync(path);
    out.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });
  }
  return out;
}

function matches(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

export function assetRoutes(dir: string = ASSET_DIR): Router {
  const assets = loadAssets(dir);
  const router = new Router();
  router.get('/assets/:name', (ctx) => {
    const name = ctx.params.name ?? '';
    const asset = NAME.test(name) ? assets.get(name) : undefined;
    if (asset === undefined) return; // falls through to the 404 handler
    ctx.set('ETag', asset.etag);
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (matches(ctx.get('if-none-match'), asset.etag)) {
      ctx.status = 304;
      return;
    }
    ctx.type = asset.type;
    ctx.body = asset.body;
  });
  return router;
}
