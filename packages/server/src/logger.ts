/** The logging surface csp-observer needs; `console` fits, and so do pino and winston. */
export interface Logger {
  debug?(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** Console logging with a `[csp-observer]` tag. */
export const consoleLogger: Logger = {
  debug: (message, ...details) => console.debug(`[csp-observer] ${message}`, ...details),
  info: (message, ...details) => console.info(`[csp-observer] ${message}`, ...details),
  warn: (message, ...details) => console.warn(`[csp-observer] ${message}`, ...details),
  error: (message, ...details) => console.error(`[csp-observer] ${message}`, ...details),
};
