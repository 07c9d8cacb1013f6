/** Where each rule's documentation page lives; linked from diagnostics, hovers and SARIF. */
export const DOCS_BASE_URL = 'https://github.com/wasm-warden/wasm-warden/blob/main/docs/rules/';

export function ruleDocsUrl(ruleId: string): string {
  return `${DOCS_BASE_URL}${ruleId}.md`;
}
