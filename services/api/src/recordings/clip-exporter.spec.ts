import type { ObjectStore } from '@sessionrec/storage';
import type { ApiConfig } from '../config/api-config';
import { ServiceUnavailableError } from '../http/api-errors';
import { ClipExporter } from './clip-exporter';

describe('ClipExporter slots', () => {
  const exporter = () =>
    new ClipExporter({} as ObjectStore, { API_MAX_EXPORTS: 2 } as unknown as ApiConfig);

  it('answers 503 when every export slot is taken, and frees a slot once', () => {
    const e = exporter();
    const first = e.acquire();
    const second = e.acquire();
    expect(() => e.acquire()).toThrow(ServiceUnavailableError);
    first();
    first();
    const third = e.acquire();
    expect(() => e.acquire()).toThrow(ServiceUnavailableError);
    second();
    third();
    expect(() => e.acquire()).not.toThrow();
  });
});
