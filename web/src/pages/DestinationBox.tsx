// The destination box: a combobox (ARIA 1.2, list autocomplete) whose
// suggestions come from SuggestDestinations as the traveller types. Arrow keys
// move through the suggestions, Enter takes one, Escape closes the list.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { Destination } from "../../../gen/itinera/web/v1/web_pb.js";
import { useApi } from "../api/context.js";
import { moveActive } from "../lib/combobox.js";

interface DestinationBoxProps {
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
}

/** Waiting this long after the last key keeps a typist well under the BFF's rate limit. */
const DEBOUNCE_MS = 250;

export function DestinationBox({ value, onChange, error }: DestinationBoxProps) {
  const api = useApi();
  const id = useId();
  const listId = `${id}-list`;
  const [options, setOptions] = useState<Destination[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  // Only typing asks for suggestions; taking one must not open the list again.
  const typed = useRef(false);
  const cache = useRef(new Map<string, Destination[]>());

  useEffect(() => {
    const text = value.trim();
    if (!typed.current || text.length < 2) {
      setOptions([]);
      return;
    }
    const known = cache.current.get(text.toLowerCase());
    if (known) {
      setOptions(known);
      setActive(-1);
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      api.suggestDestinations({ text }, { signal: controller.signal }).then(
        (res) => {
          cache.current.set(text.toLowerCase(), res.destinations);
          setOptions(res.destinations);
          setActive(-1);
        },
        // Suggestions are a help, not a must: typing on works without them.
        () => undefined,
      );
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [api, value]);

  const expanded = open && options.length > 0;

  const choose = (d: Destination) => {
    typed.current = false;
    onChange(d.label);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (options.length === 0) return;
      e.preventDefault();
      setOpen(true);
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((a) => moveActive(expanded ? a : -1, options.length, step));
      return;
    }
    if (e.key === "Enter" && expanded && active >= 0 && active < options.length) {
      e.preventDefault();
      choose(options[active]!);
      return;
    }
    if (e.key === "Escape" && expanded) {
      e.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  };

  const activeId = expanded && active >= 0 && active < options.length ? `${id}-opt-${active}` : undefined;
  const errorId = `${id}-error`;
  return (
    <div className="field combobox">
      <label htmlFor={id}>Destination</label>
      <input
        id={id}
        type="text"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        placeholder="City, country or hotel"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={activeId}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        value={value}
        onChange={(e) => {
          typed.current = true;
          onChange(e.target.value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
        onFocus={() => options.length > 0 && setOpen(true)}
        data-testid="destination"
      />
      <ul id={listId} role="listbox" aria-label="Suggested destinations" className="suggestions" hidden={!expanded}>
        {options.map((d, i) => (
          <li
            key={`${d.kind}:${d.label}:${d.detail}`}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? "active" : undefined}
            // Keep focus in the input: a mousedown on an option would blur it first.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(d)}
          >
            <span className="suggestion-label">{d.label}</span>{" "}
            <span className="suggestion-detail">
              {d.kind === "hotel" ? "Hotel" : "City"}
              {d.detail ? ` · ${d.detail}` : ""}
            </span>
          </li>
        ))}
      </ul>
      <p className="visually-hidden" role="status" aria-live="polite">
        {expanded ? `${options.length} ${options.length === 1 ? "suggestion" : "suggestions"}, use the arrow keys to choose` : ""}
      </p>
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}
