// Money formatting: integers in minor units (cents) plus an ISO 4217 code.
// The number of minor digits comes from Intl itself, so JPY (0) and KWD (3)
// format correctly without a table of our own.
const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string, locale: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    formatters.set(key, formatter);
  }
  return formatter;
}

export function formatMoney(minorUnits: number, currency: string, locale = "en-US"): string {
  const formatter = formatterFor(currency, locale);
  const digits = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(minorUnits / 10 ** digits);
}

// "1 item", "3 items".
export function formatItemCount(count: number): string {
  return `${count} ${count === 1 ? "item" : "items"}`;
}
