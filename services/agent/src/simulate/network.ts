/** Network quality of the user's connection, drifting the way a real link does. */
import type { Random } from '../random';

export interface NetworkSample {
  readonly rttMs: number;
  readonly jitterMs: number;
  readonly retransmits: number;
  readonly throughputBps: number;
}

export class NetworkModel {
  private rtt: number;

  constructor(private readonly random: Random) {
    this.rtt = random.between(4, 60);
  }

  sample(): NetworkSample {
    const random = this.random;
    this.rtt = Math.min(
      400,
      Math.max(1, this.rtt + random.between(-3, 3) + (random.chance(0.02) ? 80 : 0)),
    );
    const congested = this.rtt > 120;
    return {
      rttMs: Math.round(this.rtt * 10) / 10,
      jitterMs: Math.round(random.between(0.2, congested ? 30 : 6) * 10) / 10,
      retransmits: congested ? random.int(1, 12) : random.chance(0.1) ? 1 : 0,
      throughputBps: Math.round(random.between(congested ? 50_000 : 200_000, 4_000_000)),
    };
  }
}
