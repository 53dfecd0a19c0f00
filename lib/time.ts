// ISO 8601 times (UTC, milliseconds, as Date#toISOString writes them) from epoch milliseconds, by
// arithmetic: a cached cart's every line has a time, and Date (which Next.js 16 also wraps in a
// check of its own) cost more per cart read than the rest of unpacking it. Years 0000–9999.
const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

export function isoTime(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const inDay = ms - days * 86_400_000;
  // Howard Hinnant's civil_from_days: the proleptic Gregorian date of a day count.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(inDay / 3_600_000);
  const m = Math.floor((inDay % 3_600_000) / 60_000);
  const s = Math.floor((inDay % 60_000) / 1000);
  return `${String(year).padStart(4, "0")}-${pad2(month)}-${pad2(day)}T${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(inDay % 1000)}Z`;
}

// Epoch milliseconds of a time isoTime writes ("YYYY-MM-DDTHH:MM:SS.sssZ"), by arithmetic (Howard
// Hinnant's days_from_civil); any other form goes to Date.parse. A cached cart's every line is
// turned back into milliseconds each time the cart is written to the cache.
const ISO_SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$/;

export function epochOf(iso: string): number {
  const m = iso.length === 24 ? ISO_SHAPE.exec(iso) : null;
  if (!m) return Date.parse(iso);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return Date.parse(iso);
  const y = Number(m[1]) - (month <= 2 ? 1 : 0);
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146_097 + doe - 719_468;
  return days * 86_400_000 + Number(m[4]) * 3_600_000 + Number(m[5]) * 60_000 + Number(m[6]) * 1000 + Number(m[7]);
}
