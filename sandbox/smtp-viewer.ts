// The SMTP sink's web pages: the inbox (newest first) and one message, its
// HTML body shown in a sandboxed iframe (no scripts, no same-origin access)
// so a message can never act on the viewer.
import { escapeHtml } from "./http.js";
import type { StoredMessage } from "./smtp-sink.js";

const STYLE = `
  body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1f;background:#f4f5f7}
  main{max-width:60rem;margin:0 auto;padding:1rem}
  table{width:100%;border-collapse:collapse;background:#fff}
  th,td{text-align:left;padding:.5rem .6rem;border-bottom:1px solid #e1e3e8;vertical-align:top}
  .dup{display:inline-block;margin-left:.4rem;padding:0 .4rem;border-radius:.3rem;background:#fde2e1;color:#8c1d18;font-size:.8rem;font-weight:600}
  dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;background:#fff;padding:.8rem;margin:0 0 1rem}
  dt{font-weight:600} dd{margin:0;word-break:break-word}
  iframe{width:100%;height:70vh;border:1px solid #c9ccd3;background:#fff}
  pre{white-space:pre-wrap;background:#fff;padding:.8rem;border:1px solid #c9ccd3}
`;

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · SMTP sink</title>
<style>${STYLE}</style>
</head>
<body><main>${content}</main></body>
</html>
`;
}

const dupMark = (m: StoredMessage) => (m.duplicate ? `<span class="dup" title="This Message-ID was delivered before">duplicate</span>` : "");

export function inboxPage(messages: readonly StoredMessage[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) => `<tr>
<td>${escapeHtml(m.to.join(", "))}</td>
<td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || "(no subject)")}</a>${dupMark(m)}</td>
<td><time datetime="${m.received_at}">${escapeHtml(m.received_at.replace("T", " ").slice(0, 19))}</time></td>
</tr>`,
    )
    .join("\n");
  return layout(
    "Inbox",
    `<h1>Inbox (${messages.length})</h1>
<p>Every message delivered to the sandbox SMTP sink, newest first. Nothing here was sent anywhere.</p>
<table>
<thead><tr><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Received (UTC)</th></tr></thead>
<tbody>
${rows || `<tr><td colspan="3">No messages yet.</td></tr>`}
</tbody>
</table>`,
  );
}

export function messagePage(m: StoredMessage): string {
  const body =
    m.html !== null
      ? `<iframe title="Message body" sandbox srcdoc="${escapeHtml(m.html)}"></iframe>`
      : `<pre>${escapeHtml(m.text)}</pre>`;
  return layout(
    m.subject || "(no subject)",
    `<p><a href="/">← Inbox</a></p>
<h1>${escapeHtml(m.subject || "(no subject)")}${dupMark(m)}</h1>
<dl>
<dt>From</dt><dd>${escapeHtml(m.from)}</dd>
<dt>To</dt><dd>${escapeHtml(m.to.join(", "))}</dd>
<dt>Received</dt><dd>${escapeHtml(m.received_at)}</dd>
<dt>Message-ID</dt><dd>${escapeHtml(m.message_id)}</dd>
</dl>
${body}`,
  );
}

export function notFoundPage(): string {
  return layout("Not found", `<p><a href="/">← Inbox</a></p><h1>No such message</h1>`);
}
