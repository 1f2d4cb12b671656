// Starts the app: the BFF client (same origin, session cookie, CSRF header),
// the session, and the page for the current URL.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createWebClient } from "./api/client.js";
import { ApiProvider } from "./api/context.js";
import { csrfStore } from "./api/csrf.js";
import { App } from "./app.js";
import { SessionProvider } from "./session.js";
import "./styles.css";

const client = createWebClient(
  csrfStore(() => document.cookie),
  window.location.origin,
);

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <ApiProvider client={client}>
      <SessionProvider>
        <App />
      </SessionProvider>
    </ApiProvider>
  </StrictMode>,
);
