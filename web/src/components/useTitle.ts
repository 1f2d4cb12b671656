// The document title names the page (screen readers announce it on navigation).
import { useEffect } from "react";

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} — Itinera` : "Itinera";
  }, [title]);
}
