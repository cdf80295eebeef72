import type { z } from 'zod';

/** A configuration problem found at start. Its message is one line naming the source, the key and the fault. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }

  static fromZod(source: string, error: z.ZodError): ConfigError {
    const issues = error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    return new ConfigError(`${source}: ${issues.join('; ')}`);
  }
}
