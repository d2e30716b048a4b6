import { ConsoleLogger, Logger } from '@nestjs/common';
import { atTurnEnd } from './turn-end.js';

describe('atTurnEnd', () => {
  it('writes the answers of one turn together and in order, once the turn is done', async () => {
    const order: string[] = [];
    atTurnEnd(() => order.push('a'));
    await Promise.resolve();
    atTurnEnd(() => order.push('b'));
    order.push('turn');
    expect(order).toEqual(['turn']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['turn', 'a', 'b']);
  });

  it('writes the rest of the turn when one write throws, and reports it', async () => {
    const errors: string[] = [];
    const capture = new ConsoleLogger();
    capture.error = (message: unknown) => void errors.push(String(message));
    Logger.overrideLogger(capture);
    try {
      const written: string[] = [];
      atTurnEnd(() => written.push('before'));
      atTurnEnd(() => {
        throw new Error('socket gone');
      });
      atTurnEnd(() => written.push('after'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(written).toEqual(['before', 'after']);
      expect(errors).toEqual(['An answer could not be written: socket gone']);
    } finally {
      Logger.overrideLogger(new ConsoleLogger());
    }
  });
});
