/**
 * A patient's browser without a browser: manual redirects, a cookie jar and the CSRF header, so
 * integration tests drive the real launch flow over HTTP exactly as a browser would.
 */
export interface Got<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

export class TestBrowser {
  readonly jar = new Map<string, string>();
  readonly trail: string[] = [];
  session?: { csrfToken: string; patient: { id: string; name: string | null }; viewer: { kind: string; id: string; name: string | null } } & Record<string, unknown>;

  constructor(readonly base: string) {}

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attrs.some((a) => /max-age=0\b/i.test(a.trim()));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const abs = new URL(url, this.base).toString();
    const headers = new Headers(init.headers);
    if (this.jar.size) headers.set('cookie', [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(abs, { ...init, headers, redirect: 'manual' });
    this.keep(res);
    this.trail.push(`${init.method ?? 'GET'} ${new URL(abs).pathname} -> ${res.status}`);
    return res;
  }

  /** Follows redirects by hand (keeping cookies), up to 20 hops, or until `stop` says so. */
  async follow(url: string, init: RequestInit = {}, stop?: (location: URL) => boolean): Promise<Response> {
    let res = await this.request(url, init);
    for (let hops = 0; hops < 20 && res.status >= 300 && res.status < 400; hops++) {
      const loc = res.headers.get('location');
      if (!loc) break;
      const next = new URL(loc, res.url || this.base);
      if (stop?.(next)) break;
      await res.body?.cancel();
      res = await this.request(next.toString());
    }
    return res;
  }

  /** Sandbox EHR launch (no login form), then reads /api/session. */
  async launch(patient: string, user?: string, extra: Record<string, string> = {}): Promise<NonNullable<TestBrowser['session']>> {
    const q = new URLSearchParams({ patient, ...(user ? { user } : {}), ...extra });
    // Stop where the portal takes over (its pages are not part of the sign-in).
    const res = await this.follow(`/sandbox/launch?${q}`, {}, (loc) => loc.origin === new URL(this.base).origin && !/^\/(sandbox|launch|callback)/.test(loc.pathname));
    await res.body?.cancel();
    if (res.status >= 400) throw new Error(`launch ended with ${res.status}: ${this.trail.join(' | ')}`);
    const s = await this.get<NonNullable<TestBrowser['session']>>('/api/session');
    if (s.status !== 200) throw new Error(`/api/session -> ${s.status} after ${this.trail.join(' | ')}`);
    this.session = s.json;
    return s.json;
  }

  async get<T = any>(path: string, headers: Record<string, string> = {}): Promise<Got<T>> {
    const r = await this.request(path, { headers: { accept: 'application/json', ...headers } });
    return read<T>(r);
  }

  async post<T = any>(path: string, payload: unknown, headers: Record<string, string> = {}, method: 'POST' | 'PUT' = 'POST'): Promise<Got<T>> {
    const r = await this.request(path, {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': this.session?.csrfToken ?? '', ...headers },
      body: JSON.stringify(payload),
    });
    return read<T>(r);
  }

  put<T = any>(path: string, payload: unknown): Promise<Got<T>> {
    return this.post<T>(path, payload, {}, 'PUT');
  }

  async postForm<T = any>(path: string, form: FormData, headers: Record<string, string> = {}): Promise<Got<T>> {
    const r = await this.request(path, { method: 'POST', headers: { accept: 'application/json', 'x-csrf-token': this.session?.csrfToken ?? '', ...headers }, body: form });
    return read<T>(r);
  }
}

async function read<T>(r: Response): Promise<Got<T>> {
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json: json as T };
}
