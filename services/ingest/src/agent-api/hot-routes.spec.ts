import { isHotRequest } from './hot-routes';

const id = '3a00f3f4-7728-42b8-ab01-a909216cdc65';

describe('isHotRequest: which requests the hot lane serves', () => {
  it.each([
    ['PUT', `/agent/v1/recordings/${id}/segments/0`],
    ['PUT', `/agent/v1/recordings/${id}/segments/17?retry=1`],
    ['POST', `/agent/v1/sessions/${id}/events`],
    ['POST', `/agent/v1/sessions/${id}/metrics`],
    ['POST', '/agent/v1/batches'],
    ['POST', '/agent/v1/batches?x=1'],
  ])('%s %s goes to the lane', (method, url) => {
    expect(isHotRequest(method, url)).toBe(true);
  });

  it.each([
    // the right path with another method is Nest's (its 404 or 405 as before)
    ['GET', `/agent/v1/recordings/${id}/segments/0`],
    ['PUT', `/agent/v1/sessions/${id}/events`],
    ['GET', '/agent/v1/batches'],
    // the lifecycle and other agent routes are Nest controllers
    ['POST', '/agent/v1/sessions'],
    ['POST', `/agent/v1/sessions/${id}/end`],
    ['POST', `/agent/v1/sessions/${id}/recordings`],
    ['POST', '/agent/v1/enrol'],
    // near misses: an empty or extra segment, a longer name, a trailing slash
    ['PUT', `/agent/v1/recordings/${id}/segments/`],
    ['PUT', `/agent/v1/recordings//segments/1`],
    ['POST', `/agent/v1/sessions/${id}/events/more`],
    ['POST', '/agent/v1/batchesX'],
    ['POST', '/agent/v1/batches/'],
    ['POST', '/api/v1/batches'],
    [undefined, '/agent/v1/batches'],
    ['POST', undefined],
  ])('%s %s stays with Nest', (method, url) => {
    expect(isHotRequest(method, url)).toBe(false);
  });
});
