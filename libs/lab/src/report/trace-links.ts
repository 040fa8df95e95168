/** The Jaeger UI page of a trace, when the UI's base URL is known. */
export function traceLink(jaegerUiUrl: string | undefined, traceId: string): string | undefined {
  return jaegerUiUrl ? `${jaegerUiUrl.replace(/\/+$/, '')}/trace/${traceId}` : undefined;
}
