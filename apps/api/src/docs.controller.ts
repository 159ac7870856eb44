/** /docs: the OpenAPI document and a plain page listing every endpoint (no CDN, no scripts). */
import { Controller, Get, Header } from '@nestjs/common';
import { Public } from './auth.js';
import { openApiDocument } from './openapi-document.js';
import { ROUTES, type RouteDoc } from './openapi.js';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function row(r: RouteDoc): string {
  const scopes = r.scopes === 'public' ? '<em>no token</em>' : r.scopes.map((s) => `<code>${esc(s)}</code>`).join(' or ');
  const errors = (r.scopes === 'public' ? r.errors : [...r.errors, 401, 403]).sort().join(', ') || '—';
  return `<tr><td class="m">${r.method.toUpperCase()}</td><td><code>${esc(r.path)}</code></td><td>${esc(r.summary)}${
    r.description ? `<br><small>${esc(r.description)}</small>` : ''
  }</td><td>${scopes}</td><td>${r.ok.status}</td><td>${errors}</td></tr>`;
}

export function docsPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tideline API</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:75rem}td,th{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
table{border-collapse:collapse;width:100%}.m{font-weight:600}small{color:#555}code{background:#f4f4f4;padding:0 .2rem}</style></head><body>
<h1>Tideline API</h1><p>Send <code>Authorization: Bearer &lt;token&gt;</code>; <code>admin</code> holds every scope. Errors are
<code>application/problem+json</code> (400: <code>errors</code> names each bad field; 409: <code>state</code> names the state).
The machine-readable description: <a href="/docs/openapi.json">/docs/openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th>method</th><th>path</th><th>what</th><th>scope</th><th>ok</th><th>errors</th></tr></thead><tbody>
${ROUTES.map(row).join('\n')}
</tbody></table></body></html>`;
}

@Controller('docs')
@Public()
export class DocsController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page() {
    return docsPage();
  }

  @Get('openapi.json')
  document() {
    return openApiDocument();
  }
}
