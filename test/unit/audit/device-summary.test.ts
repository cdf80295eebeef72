import assert from 'node:assert/strict';
import { deviceSummary } from '../../../src/audit/device-summary.js';

describe('deviceSummary', () => {
  const cases: [string, string | undefined][] = [
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36', 'Chrome on Android'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari on iPhone'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:126.0) Gecko/20100101 Firefox/126.0', 'Firefox on Mac'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ['curl/8.5.0', undefined],
    ['', undefined],
  ];
  for (const [ua, expected] of cases) {
    it(`${expected ?? 'nothing'} from ${ua.slice(0, 40) || '(empty)'}`, () => assert.equal(deviceSummary(ua), expected));
  }
  it('nothing from a missing header', () => assert.equal(deviceSummary(undefined), undefined));
});
