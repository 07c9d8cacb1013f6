/**
 * The two built-in policies, written in the policy format itself so docs/policy.md can show them
 * verbatim and every built-in decision points at a real line of text.
 *
 * - DEFAULT governs a module that no wasm-policy.json governs: imports are allowed, unbounded
 *   memory and risky patterns are flagged, and the module is told no policy governs it. Every
 *   field a policy file leaves out also takes its value from here (except `imports.otherwise`,
 *   which is "deny" in a policy file: a policy file is an allow-list).
 * - STRICT replaces a policy that is broken (fail closed): every import is denied, memory is
 *   small, bounded and private, the sandbox gets nothing.
 */
import { readPolicyDocument, type PolicyDocument } from './document';
import { readLayer, type PolicyLayer } from './layer';

export const DEFAULT_POLICY_NAME = '<built-in default>';
export const STRICT_POLICY_NAME = '<built-in strict>';

export const DEFAULT_POLICY_TEXT = `{
  "imports": { "allow": [], "deny": [], "capabilities": [], "otherwise": "allow" },
  "memory": {
    "requireMaximum": true,
    "allowShared": true,
    "allowMemory64": true,
    "allowImported": true
  },
  "signature": { "required": false, "trustedKeys": [], "allowPartial": false },
  "sandbox": {
    "timeoutMs": 5000,
    "maxMemory": "256MiB",
    "preopens": [],
    "env": {},
    "args": [],
    "network": { "allow": [] },
    "alerts": { "memoryPercent": 90, "slowMs": 1000 },
    "clock": "real",
    "random": "real"
  },
  "rules": {}
}
`;

export const STRICT_POLICY_TEXT = `{
  "imports": { "allow": [], "deny": ["*"], "capabilities": [], "otherwise": "deny" },
  "memory": {
    "maxPages": 256,
    "requireMaximum": true,
    "allowShared": false,
    "allowMemory64": false,
    "allowImported": false
  },
  "signature": { "required": false, "trustedKeys": [], "allowPartial": false },
  "sandbox": {
    "timeoutMs": 1000,
    "maxMemory": "16MiB",
    "preopens": [],
    "env": {},
    "args": [],
    "network": { "allow": [] },
    "alerts": { "memoryPercent": 90, "slowMs": 1000 },
    "clock": "fixed",
    "random": "fixed"
  },
  "rules": {}
}
`;

function builtInLayer(name: string, text: string): PolicyLayer {
  const doc: PolicyDocument = readPolicyDocument(name, text);
  return readLayer(doc, doc.root, true);
}

export const DEFAULT_LAYER = builtInLayer(DEFAULT_POLICY_NAME, DEFAULT_POLICY_TEXT);
export const STRICT_LAYER = builtInLayer(STRICT_POLICY_NAME, STRICT_POLICY_TEXT);
/** What a policy file starts from: DEFAULT without its `otherwise` (unset means deny, pointing at the file). */
export const FILE_BASE_LAYER: PolicyLayer = {
  settings: DEFAULT_LAYER.settings.filter((s) => s.path !== 'imports.otherwise'),
};
