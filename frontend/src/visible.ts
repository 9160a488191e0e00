import { options } from "preact";

// Audit data is hostile also when it is only text: a right-to-left
// override (U+202E) turns "rtl.<U+202E>txt.exe" into "rtl.exe.txt" on the
// screen, reverses the label beside it, and zero-width characters make
// "u<U+200B>1" look like "u1", which no search for u1 finds. Such
// characters are shown as visible marks instead, wherever the screen
// renders text: every text node and tooltip passes through visible (the
// hook below), so no view can forget to. The data itself, its searches
// and its copies keep the characters.
// (and the soft hyphen, the Hangul fillers, the Mongolian vowel separator
// and the tag characters, which draw nothing either)
const hidden = /[\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u3164\uFEFF\uFFA0\u{E0000}-\u{E007F}]/gu;

export function visible(s: string): string {
  return s.replace(hidden, (c) => `⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}⟩`);
}

// hasHidden: s holds a character visible marks.
export function hasHidden(s: string): boolean {
  return s.search(hidden) >= 0; // (search ignores the g flag's lastIndex)
}

// showHiddenCharacters makes every text node and title the screen renders
// go through visible.
export function showHiddenCharacters() {
  const next = options.vnode;
  options.vnode = (v) => {
    if (v.type === null && typeof v.props === "string") {
      (v as { props: unknown }).props = visible(v.props);
    } else if (v.props && typeof (v.props as { title?: unknown }).title === "string") {
      const p = v.props as unknown as { title: string };
      p.title = visible(p.title);
    }
    next?.(v);
  };
}
