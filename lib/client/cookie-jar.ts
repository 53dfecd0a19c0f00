// A cookie jar for one API origin, for Node and other runtimes without a
// browser's cookie store: it keeps what Set-Cookie says and sends it back.
// Domain and Path are not matched: a client talks to one base URL.

export class CookieJar {
  private readonly values = new Map<string, { value: string; expires: number | null }>();

  // Applies every Set-Cookie line of a response.
  store(headers: Headers): void {
    for (const line of setCookieLines(headers)) this.apply(line);
  }

  // The Cookie header to send, or null when the jar is empty.
  header(now = Date.now()): string | null {
    const pairs: string[] = [];
    for (const [name, { value, expires }] of this.values) {
      if (expires !== null && expires <= now) this.values.delete(name);
      else pairs.push(`${name}=${value}`);
    }
    return pairs.length > 0 ? pairs.join("; ") : null;
  }

  get(name: string): string | undefined {
    return this.values.get(name)?.value;
  }

  clear(): void {
    this.values.clear();
  }

  private apply(line: string): void {
    const [pair = "", ...attributes] = line.split(";");
    const eq = pair.indexOf("=");
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let expires: number | null = null;
    for (const attribute of attributes) {
      const [key = "", raw = ""] = attribute.split("=", 2).map((part) => part.trim());
      if (key.toLowerCase() === "max-age" && /^-?\d+$/.test(raw)) expires = Date.now() + Number(raw) * 1000;
      else if (key.toLowerCase() === "expires" && expires === null && !Number.isNaN(Date.parse(raw))) expires = Date.parse(raw);
    }
    if (value === "" || (expires !== null && expires <= Date.now())) this.values.delete(name);
    else this.values.set(name, { value, expires });
  }
}

// Headers.getSetCookie keeps the lines apart; without it, split the joined header before each "name=".
function setCookieLines(headers: Headers): string[] {
  if (typeof headers.getSetCookie === "function") return headers.getSetCookie();
  const joined = headers.get("set-cookie");
  return joined ? joined.split(/,\s*(?=[^;,=\s]+=)/) : [];
}
