/**
 * `netsh http show sslcert`: one block per binding, `Name : Value` lines
 * under a "SSL Certificate bindings:" heading. Format from a public capture:
 * https://docs.tri-line.com/plugins/viewsource/viewpagesrc.action?pageId=22613236
 * (test/fixtures/windows/netsh-http-show-sslcert.txt). Only the binding's
 * identity is kept: endpoint, certificate thumbprint, application ID and
 * store; nothing secret is in this output.
 */
export interface SslCertBinding {
  /** `IP:port` (or `Hostname:port` for SNI bindings). */
  Endpoint: string;
  CertificateHash: string | null;
  ApplicationId: string | null;
  CertificateStoreName: string | null;
}

export function parseNetshSslCert(output: string): SslCertBinding[] {
  const out: SslCertBinding[] = [];
  let current: SslCertBinding | undefined;
  for (const raw of output.split(/\r?\n/)) {
    // The key itself holds a colon (`IP:port : 0.0.0.0:443`), so the endpoint line is matched whole.
    const em = /^\s*(?:IP|Hostname|Central Certificate Store|CCS):?port\s*:\s*(.*)$/i.exec(raw);
    if (em) {
      current = { Endpoint: em[1].trim(), CertificateHash: null, ApplicationId: null, CertificateStoreName: null };
      out.push(current);
      continue;
    }
    const m = /^\s*([^:]+?)\s*:\s?(.*)$/.exec(raw);
    if (!m) continue;
    const key = m[1].trim().toLowerCase();
    const value = m[2].trim();
    if (!current) continue;
    const v = value === '' || value === '(null)' ? null : value;
    if (key === 'certificate hash') current.CertificateHash = v;
    else if (key === 'application id') current.ApplicationId = v;
    else if (key === 'certificate store name') current.CertificateStoreName = v;
  }
  return out;
}

/** The port of an endpoint such as `0.0.0.0:443`, `[::]:443` or `gallery.corp:443`. */
export function endpointPort(endpoint: string): number | undefined {
  const m = /:(\d{1,5})$/.exec(endpoint.trim());
  return m ? Number(m[1]) : undefined;
}
