import { useEffect, useRef } from "preact/hooks";

const focusable = 'button:not([disabled]), [href], input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

// useDialogFocus makes a dialog modal for the keyboard: it takes the focus
// when it shows, keeps Tab inside it, and gives the focus back to where it
// was when it hides or closes (before, Tab went on through the page behind).
export function useDialogFocus(shown: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = ref.current;
    if (!shown || !box) return;
    const before = document.activeElement as HTMLElement | null;
    (box.querySelector<HTMLElement>(focusable) ?? box).focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Tab") return;
      const all = [...box.querySelectorAll<HTMLElement>(focusable)].filter((el) => el.offsetParent !== null);
      if (all.length === 0) return;
      const first = all[0], last = all[all.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
      else if (!box.contains(document.activeElement)) { e.preventDefault(); first.focus(); }
    };
    addEventListener("keydown", onKey);
    return () => { removeEventListener("keydown", onKey); before?.focus?.(); };
  }, [shown]);
  return ref;
}
