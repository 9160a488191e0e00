// Times are shown in the chosen zone: UTC, the machine's, or any IANA zone.

const cache = new Map<string, Intl.DateTimeFormat>();

function zoneOf(tz: string): string | undefined {
  return tz === "local" ? undefined : tz;
}

function formatter(tz: string, withMs: boolean): Intl.DateTimeFormat {
  const key = tz + withMs;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("sv-SE", {
      timeZone: zoneOf(tz), year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
      ...(withMs ? { fractionalSecondDigits: 3 } : {}),
    });
    cache.set(key, f);
  }
  return f;
}

export function fmtTime(iso: string, tz: string, withMs = false): string {
  return formatter(tz, withMs).format(new Date(iso)).replace(",", ".");
}

const offsets = new Map<string, Intl.DateTimeFormat>();

// offsetAt is the zone's offset from UTC at ms: "+01:00".
export function offsetAt(ms: number, tz: string): string {
  let f = offsets.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zoneOf(tz), timeZoneName: "longOffset" });
    offsets.set(tz, f);
  }
  const name = f.formatToParts(new Date(ms)).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
  return name === "GMT" ? "+00:00" : name.slice(3);
}

// fmtTimeSure is fmtTime with the offset added within an hour of the
// zone's clock changing, where one wall time can name two moments (the
// hour a clock goes back passes twice).
export function fmtTimeSure(iso: string, tz: string, withMs = false): string {
  const ms = Date.parse(iso), off = offsetAt(ms, tz);
  const near = offsetAt(ms - 3600e3, tz) !== off || offsetAt(ms + 3600e3, tz) !== off;
  return fmtTime(iso, tz, withMs) + (near ? ` ${off}` : "");
}

// ianaZone names the chosen zone for the server: "local" is this browser's
// zone, which the server's own may not be.
export function ianaZone(tz: string): string {
  return tz === "local" ? Intl.DateTimeFormat().resolvedOptions().timeZone : tz;
}

export function zoneLabel(tz: string): string {
  if (tz === "local") return `local (${Intl.DateTimeFormat().resolvedOptions().timeZone})`;
  return tz;
}

export function zones(): string[] {
  const all = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  return ["UTC", "local", ...all.filter((z) => z !== "UTC")];
}

export const presets: { label: string; ms: number }[] = [
  { label: "15 min", ms: 15 * 60e3 }, { label: "1 hour", ms: 3600e3 }, { label: "24 hours", ms: 86400e3 },
  { label: "7 days", ms: 7 * 86400e3 }, { label: "30 days", ms: 30 * 86400e3 }, { label: "90 days", ms: 90 * 86400e3 },
];
