// The browser for the web app's component tests: happy-dom's window, document
// and fetch as globals. Import it FIRST in every *.test.tsx (before React or
// a component), so that react-dom sees a DOM when it loads.
import { GlobalRegistrator } from "@happy-dom/global-registrator";
import * as React from "react";

GlobalRegistrator.register({ url: "http://app.test/", width: 1280, height: 800 });

// Vite compiles the app's JSX with the automatic runtime (web/tsconfig.json),
// and so does `make test` (the runner gives each file its nearest tsconfig).
// A file run by hand with `node --import tsx` gets the root tsconfig.json,
// which covers only the server folders: esbuild falls back to the classic
// runtime, whose JSX calls React.createElement on a global React — this one.
Object.assign(globalThis, { React });

// React's act() warns unless the environment says it is a test.
Object.assign(globalThis, { IS_REACT_ACT_ENVIRONMENT: true });
