// The BFF client, made once in main.tsx and handed to pages through context.
import { createContext, useContext, type ReactNode } from "react";
import type { WebClient } from "./client.js";

const ApiContext = createContext<WebClient | undefined>(undefined);

export function ApiProvider({ client, children }: { client: WebClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): WebClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error("useApi outside ApiProvider");
  return client;
}
