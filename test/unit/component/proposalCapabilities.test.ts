/**
 * Capability groups of the WASI proposals teams deploy on (keyvalue, config, blobstore, messaging,
 * logging): each interface belongs to its group, a policy granting the group allows it, and a
 * component importing one is decided by the group, function patterns included.
 */
import * as assert from 'node:assert/strict';
import { checkImportPattern } from '../../../server/src/core/policy/semantics';
import { capabilityInfo, CAPABILITY_NAMES } from '../../../server/src/core/wasi/capabilities';
import { capabilityOfImport, findWasiInterface } from '../../../server/src/core/wasi/catalogue';
import { describeInterfaceFunction } from '../../../server/src/core/wasi/interfaceFunctions';
import { policyFrom } from '../rules/helpers';

const GROUPS: Record<string, string[]> = {
  keyvalue: [
    'wasi:keyvalue/store@0.2.0-draft',
    'wasi:keyvalue/atomics@0.2.0-draft',
    'wasi:keyvalue/batch@0.2.0-draft',
  ],
  config: ['wasi:config/store@0.2.0-draft', 'wasi:config/runtime@0.2.0-draft'],
  blobstore: ['wasi:blobstore/blobstore@0.2.0-draft', 'wasi:blobstore/container@0.2.0-draft'],
  messaging: ['wasi:messaging/producer@0.2.0-draft', 'wasi:messaging/consumer@0.2.0-draft'],
  logging: ['wasi:logging/logging@0.1.0-draft'],
};

describe('capability groups of the WASI proposals', () => {
  for (const [group, interfaces] of Object.entries(GROUPS)) {
    it(`${group}: its interfaces belong to it, with descriptions, and a grant allows them`, () => {
      assert.ok(CAPABILITY_NAMES.includes(group as never));
      assert.ok(capabilityInfo(group)?.grants);
      const granted = policyFrom({ imports: { capabilities: [group], otherwise: 'deny' } });
      const other = policyFrom({ imports: { capabilities: ['io'], otherwise: 'deny' } });
      for (const iface of interfaces) {
        assert.equal(capabilityOfImport(iface, ''), group, iface);
        assert.ok(findWasiInterface(iface)?.description, iface);
        assert.equal(granted.checkImport(iface, '').decision, 'allow', iface);
        assert.equal(granted.checkImport(iface, '').capability, group);
        assert.equal(other.checkImport(iface, '').decision, 'deny', iface);
        assert.equal(checkImportPattern(iface), undefined, `${iface} is a valid pattern`);
      }
    });
  }

  it('a function pattern narrows a granted group', () => {
    const policy = policyFrom({
      imports: { capabilities: ['keyvalue'], deny: ['wasi:keyvalue/store@0.2.*#[method]bucket.delete'] },
    });
    assert.equal(
      policy.checkImport('wasi:keyvalue/store@0.2.0-draft', '[method]bucket.get').decision,
      'allow',
    );
    assert.equal(
      policy.checkImport('wasi:keyvalue/store@0.2.0-draft', '[method]bucket.delete').decision,
      'deny',
    );
  });

  it('describes the functions of the proposals and of WASI 0.2', () => {
    assert.match(
      describeInterfaceFunction('wasi:keyvalue/store@0.2.0-draft', '[method]bucket.set') ?? '',
      /Writes/,
    );
    assert.match(
      describeInterfaceFunction('wasi:config/store@0.2.0-draft', 'get-all') ?? '',
      /configuration/,
    );
    assert.match(
      describeInterfaceFunction('wasi:http/outgoing-handler@0.2.3', 'handle') ?? '',
      /HTTP request/,
    );
    assert.equal(describeInterfaceFunction('example:kv/store@1.0.0', 'get'), undefined);
  });
});
