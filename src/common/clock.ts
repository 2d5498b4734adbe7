/** Time is injected so scheduling, windows and backoff can be tested without sleeping. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that moves only when told to (tests of windows, expiry and backoff). */
export class ManualClock extends Clock {
  constructor(private at: Date = new Date()) {
    super();
  }

  now(): Date {
    return new Date(this.at.getTime());
  }

  set(at: Date): void {
    this.at = new Date(at.getTime());
  }

  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}
