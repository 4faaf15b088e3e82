/**
 * The bureau page over raw HTTP, as a browser would use it: read the sign-in form (its cookies and
 * hidden fields), post the key with them, and keep the session cookie.
 */
export interface FormPage {
  status: number;
  html: string;
  /** name=value of every cookie the answer set */
  cookies: Record<string, string>;
  setCookie: string[];
  /** the hidden fields of the form posting to `action` */
  hidden(action: string): Record<string, string>;
}

export function cookiesOf(r: Response): { cookies: Record<string, string>; setCookie: string[] } {
  const setCookie = r.headers.getSetCookie();
  const cookies: Record<string, string> = {};
  for (const c of setCookie) {
    const [pair] = c.split(";");
    const eq = pair.indexOf("=");
    cookies[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return { cookies, setCookie };
}

export function cookieHeader(cookies: Record<string, string>): string {
  return Object.entries(cookies)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
}

function hiddenFields(html: string, action: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*action="${action.replace(/[/.]/g, "\\$&")}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1] ?? "";
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name) out[name] = value ?? "";
  }
  return out;
}

export async function getPage(base: string, cookies: Record<string, string> = {}): Promise<FormPage> {
  const r = await fetch(`${base}/bureau`, { headers: { cookie: cookieHeader(cookies) }, redirect: "manual" });
  const html = await r.text();
  const c = cookiesOf(r);
  return { status: r.status, html, cookies: c.cookies, setCookie: c.setCookie, hidden: (action) => hiddenFields(html, action) };
}

export async function postForm(
  base: string,
  path: string,
  fields: Record<string, string>,
  opts: { cookies?: Record<string, string>; origin?: string | null; accept?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(opts.cookies ?? {}) };
  if (opts.origin !== null) headers.origin = opts.origin ?? base;
  if (opts.accept) headers.accept = opts.accept;
  return fetch(`${base}${path}`, { method: "POST", headers, body: new URLSearchParams(fields).toString(), redirect: "manual" });
}

/** Signs in with `key` the way the sign-in form does; returns every cookie then held. */
export async function signIn(base: string, key: string): Promise<Record<string, string>> {
  const login = await getPage(base);
  const r = await postForm(base, "/bureau/login", { ...login.hidden("/bureau/login"), key }, { cookies: login.cookies });
  if (r.status !== 303) throw new Error(`sign-in answered ${r.status}: ${await r.text()}`);
  return { ...login.cookies, ...cookiesOf(r).cookies };
}
