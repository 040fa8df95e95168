/** A key as `createApiKey` makes it. */
export interface TestKey {
  key: string;
}

/** Calls the api as the holder of `key` (none: no Authorization header); JSON bodies are parsed. */
export async function callAs(
  apiUrl: string,
  key: TestKey | undefined,
  method: string,
  path: string,
  body?: unknown,
) {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key.key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = /json/.test(response.headers.get('content-type') ?? '');
  return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : text };
}
