import { describe, expect, it } from 'vitest';
import { releaseLabels } from '../../libs/domain/src/recorded.js';

describe('releaseLabels', () => {
  it('stamps exactly the three release labels', () => {
    const labels = releaseLabels({ id: '5f0c6a1e-4d0b-4a57-9d1e-2f4b8c9a7e31', version: '1.4.2', releaseNumber: 42 });
    expect(labels).toStrictEqual({
      'app.kubernetes.io/version': '1.4.2',
      'tideline.io/release': '5f0c6a1e-4d0b-4a57-9d1e-2f4b8c9a7e31',
      'tideline.io/release-number': '42',
    });
  });

  it('the release number is a string (Kubernetes label values must be strings)', () => {
    const labels = releaseLabels({ id: 'r1', version: 'v2', releaseNumber: 7 });
    expect(typeof labels['tideline.io/release-number']).toBe('string');
    expect(labels['tideline.io/release-number']).toBe('7');
    for (const value of Object.values(labels)) expect(typeof value).toBe('string');
  });

  it('releaseNumber 0 is still written as "0"', () => {
    expect(releaseLabels({ id: 'r0', version: '0.0.1', releaseNumber: 0 })['tideline.io/release-number']).toBe('0');
  });
});
